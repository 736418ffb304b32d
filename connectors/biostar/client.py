"""HTTP client for BioStar X: the ``bs-session-id`` session, the ``Response`` envelope and its
error codes, ``limit``/``offset`` collections and the event search.

One session serves every call. It is opened lazily by the first call; when the server answers
code ``"10"`` ("Login required.", HTTP 401) the session is forgotten, the client logs in once more
and repeats that call (the base class does this once per call, never in a loop). A refused login
(HTTP 401, code ``"11"``) is an :class:`AuthenticationError` and is never retried: repeated bad
logins can lock the account.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from connectors import errors
from connectors.biostar.scalars import as_list, text, to_int
from connectors.client import VendorClient, raise_for_status
from connectors.paging import LoopGuard

SESSION_HEADER = "bs-session-id"
LOGIN = "/api/login"
LOGIN_REQUIRED = "10"
LOGIN_FAILED = "11"

#: ``Response.code`` → error class. The document lists errors in prose only; "10" comes from
#: real servers (vendor-quirks.md), the others are what the simulator answers.
CODE_ERRORS: dict[str, type[errors.ConnectorError]] = {
    LOGIN_REQUIRED: errors.AuthenticationError,
    LOGIN_FAILED: errors.AuthenticationError,
    "20": errors.NotFoundError,
    "30": errors.ValidationError,
    "31": errors.ConflictError,
    "32": errors.ValidationError,  # malformed body
    "40": errors.ProtocolError,  # method not allowed: our bug, not the data's
}


def envelope(body: Any) -> tuple[str | None, str]:
    """``Response: {code, message}`` (or, on some v2 answers, ``code``/``message`` at the top)."""
    if not isinstance(body, Mapping):
        return None, ""
    block = body.get("Response")
    if not isinstance(block, Mapping):
        block = body if "code" in body else {}
    code = text(block.get("code")) or None
    return code, text(block.get("message"))


@dataclass(frozen=True)
class Collection:
    rows: list[Any]
    total: int | None


def collection(body: Any, name: str) -> Collection:
    """``<Name>Collection: {total, rows}``; a missing key (nothing matched, quirk) is empty."""
    block = body.get(name) if isinstance(body, Mapping) else None
    if not isinstance(block, Mapping):
        return Collection([], 0 if block is None else None)
    return Collection(as_list(block.get("rows")), to_int(block.get("total")))


class BioStarClient(VendorClient):
    vendor = "BioStar X"

    def __init__(self, base_url: str, login_id: str, password: str, **kwargs):
        super().__init__(base_url, **kwargs)
        self._login_id = login_id
        self._password = password
        self.session_id: str | None = None
        self.logins = 0
        self.login_user: dict[str, Any] = {}
        self.server_date = ""  # the login answer's HTTP Date header, when the server sends one

    #: POSTs that only read (searches, status, logging in): safe to repeat after a lost answer
    READ_ONLY_POSTS = (
        "/api/login",
        "/api/logout",
        "/api/events/search",
        "/api/doors/status",
        "/api/v2/",
    )

    def is_replayable(self, method: str, path: str) -> bool:
        path = path.split("?", 1)[0]
        return super().is_replayable(method, path) or (
            method.upper() == "POST"
            and (path.startswith(self.READ_ONLY_POSTS) or path.endswith("/search"))
        )

    # -- the session ---------------------------------------------------------------------------
    def login(self, *, retry: bool = False) -> dict[str, Any]:
        """Open a new session; returns the ``User`` the server answered with.

        ``retry`` stays False when this runs inside another call (that call's loop retries);
        a refused login is never retried either way."""
        self.session_id = None
        self.logins += 1
        # Wrapped in "User": every server takes that form, some refuse the document's flat one.
        body = {"User": {"login_id": self._login_id, "password": self._password}}
        response = self.request("POST", LOGIN, json=body, authenticated=False, retry=retry)
        session = response.headers.get(SESSION_HEADER, "").strip()
        if not session:
            raise errors.ProtocolError(
                f"{self.vendor} accepted the login but sent no {SESSION_HEADER} header; "
                "check that the address points at the BioStar X API."
            )
        self.session_id = session
        self.server_date = response.headers.get("Date", "")
        user = self.json(response).get("User")
        self.login_user = user if isinstance(user, dict) else {}
        return self.login_user

    def auth_headers(self) -> Mapping[str, str]:
        if self.session_id is None:
            self.login()
        return {SESSION_HEADER: self.session_id or ""}

    def renew_auth(self) -> None:
        self.session_id = None

    def is_auth_expired(self, response: httpx.Response) -> bool:
        code, _ = envelope(_quiet_json(response))
        if code == LOGIN_REQUIRED:
            return True
        return response.status_code == 401 and code != LOGIN_FAILED

    def logout(self) -> None:
        if self.session_id is not None:
            try:
                self.request("POST", "/api/logout", retry=False)
            except errors.ConnectorError:
                pass  # the session ends by itself after its idle time
            self.session_id = None

    # -- errors --------------------------------------------------------------------------------
    def raise_for_vendor_error(self, response: httpx.Response) -> None:
        status = response.status_code
        body = _quiet_json(response)
        if body is None:
            raise_for_status(response)  # a 503 page, say; a 2xx non-JSON fails in json()
            return
        code, message = envelope(body)
        if status < 400 and code in (None, "0"):
            return
        where = f"{response.request.method} {response.request.url.path}"
        words = f"{self.vendor} refused {where}: {message or 'no message'}"
        words += f" (code {code}, HTTP {status})"
        if status >= 500 or status in (408, 429):
            raise_for_status(response, words, vendor_code=code)
        error_class = CODE_ERRORS.get(code or "")
        if error_class is not None:
            if code == LOGIN_REQUIRED:
                words += "; a fresh login did not help, check the account's permissions."
            raise error_class(words, status_code=status, vendor_code=code)
        raise_for_status(response, words, vendor_code=code)
        raise errors.ValidationError(words, status_code=status, vendor_code=code)  # 2xx, code ≠ 0

    # -- requests ------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        # A trailing "/" is an error on BioStar (the opposite of BioTime).
        base, sep, query = path.partition("?")
        if len(base) > 1:
            base = base.rstrip("/")
        return super().request(method, base + sep + query, **kwargs)

    def json(self, response: httpx.Response) -> Any:
        body = _quiet_json(response)
        return super().json(response) if body is None else body

    def call(self, method: str, path: str, **kwargs) -> dict[str, Any]:
        """One call; the JSON body (a dict) of a successful answer."""
        body = self.json(self.request(method, path, **kwargs))
        if not isinstance(body, dict):
            raise errors.ProtocolError(
                f"{self.vendor} answered {method} {path} with {type(body).__name__}, not an object."
            )
        return body

    def list_pages(
        self,
        path: str,
        name: str,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
    ) -> Iterator[list[Any]]:
        """GET ``path`` with ``limit``/``offset`` until a short page or ``total`` is reached."""
        for page in self.collection_pages(path, name, params, page_size):
            yield page.rows

    def collection_pages(
        self,
        path: str,
        name: str,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
    ) -> Iterator[Collection]:
        """:meth:`list_pages` with each page's ``total`` (the whole list's row count)."""
        limit = max(1, page_size or self.options.page_size)  # 0 means "all": never send it
        offset = 0
        guard = LoopGuard(self.vendor)
        while True:
            query = {**(params or {}), "limit": limit, "offset": offset}
            body = self.call("GET", path, params=query)
            page = collection(body, name)
            if page.rows:
                guard.check(f"{path}:{_signature(page.rows)}")
                yield page
            offset += len(page.rows)
            if len(page.rows) < limit or (page.total is not None and offset >= page.total):
                return

    def search_events(
        self, conditions: list[dict], limit: int, *, descending: bool = False
    ) -> list[Any]:
        """One page of ``POST /api/events/search``; no ``offset`` (undocumented, not honoured
        by every server): callers page by time."""
        query = {
            "limit": limit,
            "conditions": conditions,
            "orders": [{"column": "datetime", "descending": descending}],
        }
        body = self.call("POST", "/api/events/search", json={"Query": query})
        return collection(body, "EventCollection").rows

    def delete_users(self, user_ids: list[str]) -> None:
        """``DELETE /api/users?id=a+b+c``: the ``+`` goes on the wire as a literal plus."""
        joined = "+".join(quote(user_id, safe="") for user_id in user_ids)
        self.call("DELETE", f"/api/users?id={joined}")


def user_path(user_id: str) -> str:
    return f"/api/users/{quote(str(user_id), safe='')}"


_NOT_JSON = object()


def _quiet_json(response: httpx.Response) -> Any:
    """The body as JSON or None; parsed once per response (event pages can be large)."""
    cached = getattr(response, "_biostar_json", None)
    if cached is None:
        try:
            cached = response.json()
        except ValueError:
            cached = _NOT_JSON
        response._biostar_json = cached
    return None if cached is _NOT_JSON else cached


def _signature(rows: list[Any]) -> str:
    """Enough of a page to notice a server that ignores ``offset`` and repeats it."""

    def key(row: Any) -> str:
        if isinstance(row, Mapping):
            return text(row.get("id")) or text(row.get("user_id")) or repr(sorted(row.items()))[:80]
        return repr(row)[:80]

    return f"{key(rows[0])}..{key(rows[-1])}#{len(rows)}"
