"""HTTP client for ZKTeco BioTime 8.x/9.x: logins and their renewal, DRF error mapping, the
``count/next/previous/msg/code/data`` envelope and its paging.

Logins (system or staff, JWT or general token) answer only ``{"token": ...}``. A JWT is renewed
before its ``exp`` (read from its payload, measured on our own clock so server clock skew does
not matter); a general token never expires. Any 401 on an API call still means "log in once more
and retry" (tokens are revoked on restores and secret changes). The login itself is never
retried on 400/401/403: repeated bad logins lock the BioTime account.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from connectors import drf, errors
from connectors.biotime.mapping import as_int
from connectors.client import VendorClient, json_or_none, raise_for_status
from connectors.paging import LoopGuard, count_shortfall

#: login_kind → (login path, Authorization scheme, staff login?)
LOGINS = {
    "jwt": ("/jwt-api-token-auth/", "JWT", False),
    "token": ("/api-token-auth/", "Token", False),
    "staff_jwt": ("/staff-jwt-api-token-auth/", "JWT", True),
    "staff_token": ("/staff-api-token-auth/", "Token", True),
}
LOGIN_PATHS = frozenset(path for path, _, _ in LOGINS.values())
EMPLOYEES = "/personnel/api/employees/"
RESIGNS = "/personnel/api/resigns/"
REINSTATEMENT = "/personnel/api/resigns/reinstatement/"
TERMINALS = "/iclock/api/terminals/"
TRANSACTIONS = "/iclock/api/transactions/"
MAX_PAGE_SIZE = 10_000  # a guard for odd options; the servers cap a page themselves
NO_NEXT = (None, "", "null", "None")  # some builds send the string "null" on the last page


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    count: int | None
    last: bool  # nothing follows this page
    notes: tuple[str, ...] = ()  # on the last page: the count promised more rows than came


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (we only need ``exp``); {} when it is not a JWT."""
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


class BioTimeClient(VendorClient):
    vendor = "BioTime"

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str,
        login_kind: str = "jwt",
        clock: Callable[[], float] = time.time,
        **kwargs,
    ):
        if login_kind not in LOGINS:
            raise errors.ValidationError(
                f"Unknown BioTime login_kind {login_kind!r}; use one of {sorted(LOGINS)}.",
                field="login_kind",
            )
        super().__init__(base_url, **kwargs)
        self.username, self._password = username, password
        self.login_kind = login_kind
        self.clock = clock
        self._token: str | None = None
        self._renew_at: float | None = None  # our clock's time to log in again (JWT only)
        self.logins = 0
        self._prefix = urlsplit(self.base_url).path.rstrip("/")

    # -- auth -------------------------------------------------------------------------------
    @property
    def scheme(self) -> str:
        return LOGINS[self.login_kind][1]

    def auth_headers(self) -> Mapping[str, str]:
        if self._token is None or (self._renew_at is not None and self.clock() >= self._renew_at):
            self.login()
        return {"Authorization": f"{self.scheme} {self._token}"}

    def renew_auth(self) -> None:
        self._token, self._renew_at = None, None

    def login(self) -> None:
        """Log in once. ``retry=False``: the API call that needed the token retries transient
        failures as a whole, and a refusal (400/401/403) must never be repeated."""
        path = LOGINS[self.login_kind][0]
        self._token, self._renew_at = None, None
        response = self.request(
            "POST",
            path,
            json={"username": self.username, "password": self._password},
            authenticated=False,
            retry=False,
        )
        body = self.json(response)
        token = body.get("token") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token.strip():
            raise errors.ProtocolError(f"BioTime answered the login at {path} without a token.")
        self._token = token.strip()
        self.logins += 1
        if self.scheme == "JWT":
            self._renew_at = self._renewal_time(jwt_claims(self._token))

    def _renewal_time(self, claims: Mapping[str, Any]) -> float | None:
        """When to log in again: the token's lifetime (``exp`` − ``orig_iat``) counted from now
        on our clock, less a margin; without an issue time, ``exp`` itself on our clock."""
        exp, issued = as_int(claims.get("exp")), as_int(claims.get("orig_iat") or claims.get("iat"))
        if exp is None:
            return None  # nothing to read: rely on the 401 → re-login path
        if issued is not None and exp > issued:
            lifetime = exp - issued
            return self.clock() + lifetime - min(60.0, lifetime / 10)
        return exp - 30.0

    # -- errors -----------------------------------------------------------------------------
    def raise_for_vendor_error(self, response: httpx.Response) -> None:
        status, path = response.status_code, response.request.url.path
        if status < 400:
            return
        body = json_or_none(response)
        message, field = drf.error_message(body, message_keys=("msg",))
        if status == 403 and "licen" in message.lower():
            raise errors.PermissionDeniedError(
                "This BioTime server does not have the API module licensed, so it refuses every "
                f"API call ({message}). Ask ZKTeco or the reseller to activate the API licence.",
                status_code=status,
            )
        if path.removeprefix(self._prefix) in LOGIN_PATHS and status in (400, 401, 403):
            raise errors.AuthenticationError(
                f"BioTime refused the login for {self.username!r}: {message or f'HTTP {status}'}. "
                "Check the username and password "
                "(not retried: repeated failures lock the account).",
                status_code=status,
            )
        if body is None:  # Django's own HTML error pages: no API view answered
            drf.raise_for_html_page(response, "BioTime")
        message = message or f"HTTP {status}"
        if status == 401:
            raise errors.AuthenticationError(
                f"BioTime refused a fresh token ({message}); check the account.", status_code=status
            )
        if status == 400 and "already" in message.lower():
            raise errors.ConflictError(message, field=field, status_code=status)
        raise_for_status(response, f"BioTime: {message}", field=field)

    # -- requests ---------------------------------------------------------------------------
    def call(self, method: str, path: str, *, params: Any = None, body: Any = None) -> Any:
        """One API call; the JSON answer (None for 204), an envelope ``code`` ≠ 0 raised."""
        response = self.request(method, path, params=params, json=body)
        if response.status_code == 204 or not response.content.strip():
            return None
        payload = self.json(response)
        if isinstance(payload, Mapping) and "msg" in payload and "code" in payload:
            code = as_int(payload.get("code"))
            if code not in (0, None):
                raise errors.ValidationError(
                    f"BioTime answered {path} with code {payload.get('code')}: "
                    f"{payload.get('msg')}",
                    vendor_code=str(payload.get("code")),
                )
        return payload

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, size: int | None = None
    ) -> Iterator[ListPage]:
        """Pages of a list, following ``next`` as given (its path and query, on our base URL).

        The page size goes out as both ``page_size`` and ``limit``: builds honour one and
        silently ignore the other, so the wanted size arrives either way without a probe call.
        """
        size = max(1, min(size or self.options.page_size, MAX_PAGE_SIZE))
        query = [(k, str(v)) for k, v in (params or {}).items() if v is not None]
        query += [("page_size", str(size)), ("limit", str(size))]
        target, guard, delivered = path, LoopGuard(self.vendor), 0
        while True:
            guard.check(_page_marker(target, query))
            body = self.call("GET", target, params=query)
            page = self._page(target, body)
            delivered += len(page.rows)
            if page.last:
                notes = count_shortfall(self.vendor, path, page.count, delivered)
                page = dataclasses.replace(page, notes=notes)
            yield page
            following = body.get("next")
            if following in NO_NEXT:
                return
            target, query = self._follow(str(following))

    def _page(self, path: str, body: Any) -> ListPage:
        if not isinstance(body, Mapping):
            raise errors.ProtocolError(f"BioTime answered {path} without the list envelope.")
        rows = body.get("data")
        if rows is None:
            rows = body.get("results")
        if not isinstance(rows, list):
            raise errors.ProtocolError(f"BioTime answered {path} without a data list.")
        return ListPage(rows, as_int(body.get("count")), body.get("next") in NO_NEXT)

    def _follow(self, url: str) -> tuple[str, list[tuple[str, str]]]:
        """``next`` → (path, query) on our base URL: behind a proxy DRF may build it with an
        inner host or scheme, and a base URL with a path prefix must not get it twice."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if self._prefix and path.startswith(self._prefix + "/"):
            path = path[len(self._prefix) :]
        return path, parse_qsl(parts.query, keep_blank_values=True)

    def all_rows(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        for page in self.pages(path, params):
            yield from page.rows


def _page_marker(path: str, query: list[tuple[str, str]]) -> str:
    """The page's identity for the loop guard; no ``page`` is page 1 (DRF's default)."""
    items = [(k, v) for k, v in query if k != "page"]
    page = next((v for k, v in query if k == "page"), "1")
    return f"{path}?{urlencode(sorted(items + [('page', page)]))}"
