"""HTTP client for WorkTime One's ``/v1`` API: Bearer API keys, the vendor's error body, the
hourly request budget, and ``page``/``limit`` lists.

The account's base URL already ends in ``/v1``, so paths here start after it (``/employees``).
An API key does not expire (it is revoked), so a 401 never means "log in again".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors import errors
from connectors.client import VendorClient, raise_for_status
from connectors.paging import LoopGuard
from connectors.worktime.budget import WINDOW_SECONDS, RateBudget, RateLimitState

MAX_LIMIT = 100  # the document: "limit - Results per page (default: 50, max: 100)"

#: the scope a key needs per HTTP method (the document's "API Key Scopes")
SCOPE_FOR_METHOD = {
    "GET": "Read Only",
    "POST": "Read/Write",
    "PUT": "Read/Write",
    "PATCH": "Read/Write",
    "DELETE": "Full Access",
}
ACTION_FOR_METHOD = {
    "GET": "read data",
    "POST": "create data",
    "PUT": "modify data",
    "PATCH": "modify data",
    "DELETE": "delete data",
}
#: phrases of a 400 that mean "the state is already so" (a replayed write), not bad data
CONFLICT_MARKERS = ("already been taken", "already exists", "already clocked in", "not clocked in")


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    next_offset: int  # rows of the listing up to and including this page
    total: int | None
    last: bool


def error_fields(response: httpx.Response) -> tuple[str, str, str | None] | None:
    """(code, message, field) of ``{"success": false, "error": {...}}``; None when not that shape."""
    try:
        body = response.json()
    except ValueError:
        return None
    problem = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(problem, Mapping):
        field = problem.get("field")
        return (
            str(problem.get("code") or ""),
            str(problem.get("message") or ""),
            str(field) if field else None,
        )
    if isinstance(problem, str):  # some gateways answer {"error": "..."}
        return "", problem, None
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


class WorkTimeClient(VendorClient):
    vendor = "WorkTime One"

    def __init__(
        self, base_url: str, api_key: str, *, now: Callable[[], float] = time.time, **kwargs
    ):
        super().__init__(base_url, **kwargs)
        self._api_key = api_key
        self.now = now
        self.budget = RateBudget(now)

    def auth_headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def is_auth_expired(self, response: httpx.Response) -> bool:
        return False  # keys are revoked, never expire: asking again cannot help

    def rate_limit_state(self) -> RateLimitState:
        return self.budget.state()

    # -- every request passes the budget ----------------------------------------------------
    def _send(self, method, path, params, json, data, headers, authenticated) -> httpx.Response:
        self.budget.wait_turn(self.sleep, self.options.max_wait)
        response = super()._send(method, path, params, json, data, headers, authenticated)
        self.budget.observe(response.headers)
        return response

    # -- errors -----------------------------------------------------------------------------
    def retry_after(self, response: httpx.Response) -> float | None:
        """``Retry-After`` if sent, else seconds until ``X-RateLimit-Reset`` by our clock."""
        seconds = _as_int(response.headers.get("Retry-After"))
        if seconds is not None:
            return float(max(0, seconds))
        reset = _as_int(response.headers.get("X-RateLimit-Reset"))
        if reset is None:
            return None
        return max(0.0, min(float(WINDOW_SECONDS), reset - self.now()))

    def raise_for_vendor_error(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        method = response.request.method.upper()
        path = response.request.url.path
        parsed = error_fields(response)
        if parsed is None:  # the edge proxy's HTML page ("502 Bad Gateway"): no API answered
            raise_for_status(
                response,
                f"WorkTime One answered {method} {path} with a non-JSON error page (HTTP {status})",
            )
            return
        code, message, field = parsed
        message = message or f"HTTP {status}"
        common = {"status_code": status, "vendor_code": code or None}
        if status == 401:
            raise errors.AuthenticationError(
                f"WorkTime One refused the API key ({message}). Create a key in WorkTime One under "
                "Settings → API Keys and save it in this vendor account.",
                **common,
            )
        if status == 403:
            scope = SCOPE_FOR_METHOD.get(method, "Full Access")
            action = ACTION_FOR_METHOD.get(method, "do this")
            raise errors.PermissionDeniedError(
                f"The WorkTime One API key lacks the {scope} scope needed to {action} ({message}). "
                f"Create a key with {scope} under Settings → API Keys.",
                **common,
            )
        if status == 429:
            raise errors.RateLimitError(
                f"WorkTime One's rate limit: {message}",
                retry_after=self.retry_after(response),
                **common,
            )
        if status in (400, 409, 422) and (
            status == 409 or any(m in message.lower() for m in CONFLICT_MARKERS)
        ):
            raise errors.ConflictError(message, field=field, **common)
        raise_for_status(response, message, vendor_code=code or None, field=field)

    # -- bodies -----------------------------------------------------------------------------
    def envelope(self, response: httpx.Response) -> Mapping[str, Any]:
        body = self.json(response)
        if not isinstance(body, Mapping) or "data" not in body:
            raise errors.ProtocolError(
                f"WorkTime One answered {response.request.url.path} without the "
                '{"success": true, "data": …} envelope.',
                status_code=response.status_code,
            )
        if body.get("success") is False:
            raise errors.ProtocolError(
                f"WorkTime One answered HTTP {response.status_code} but success false: "
                f"{json.dumps(body.get('error'))[:200]}",
                status_code=response.status_code,
            )
        return body

    def get_data(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.envelope(self.request("GET", path, params=_clean(params)))["data"]

    def send(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.envelope(
            self.request(method, path, json=dict(body) if body is not None else None)
        )["data"]

    # -- lists ------------------------------------------------------------------------------
    def page_limit(self) -> int:
        return max(1, min(self.options.page_size, MAX_LIMIT))

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, offset: int = 0
    ) -> Iterator[ListPage]:
        """Pages of a list from ``offset`` (re-reading the page that holds the row before it).

        Ends on a short or empty page or when ``pagination.total`` is reached; an answer without
        ``pagination`` is the whole list at once (the document's examples for attendance and
        locks show none). A page whose rows were served before is a cache replaying the first
        page: stopped by :class:`LoopGuard` as a :class:`ProtocolError`.
        """
        limit = self.page_limit()
        page = max(1, offset // limit) if offset > 0 else 1
        guard = LoopGuard(self.vendor)
        while True:
            body = self.envelope(
                self.request("GET", path, params={**_clean(params), "page": page, "limit": limit})
            )
            rows = body["data"]
            if not isinstance(rows, list):
                raise errors.ProtocolError(
                    f"WorkTime One answered {path} with data that is not a list."
                )
            pagination = body.get("pagination")
            if not isinstance(pagination, Mapping):
                yield ListPage(rows, len(rows), len(rows), last=True)
                return
            served = _as_int(pagination.get("limit")) or limit
            total = _as_int(pagination.get("total"))
            if rows:
                guard.check(_marker(rows))
            end = (page - 1) * served + len(rows)
            last = len(rows) < served or (total is not None and end >= total)
            yield ListPage(rows, end, total, last)
            if last:
                return
            page += 1


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}


def _marker(rows: list[Any]) -> str:
    """What makes a page itself: its rows' ids (the whole rows when they carry none)."""
    ids = [str(r.get("id")) for r in rows if isinstance(r, Mapping) and r.get("id") is not None]
    return (
        "ids:" + ",".join(ids)
        if len(ids) == len(rows)
        else json.dumps(rows, sort_keys=True, default=str)
    )
