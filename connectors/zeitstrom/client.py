"""HTTP client for the Zeitstrom v2 API: token auth, DRF error mapping, limit/offset pages.

The token does not expire (an admin regenerates it), so a 401 is never "log in again": it is
an :class:`AuthenticationError` at once, without a second try.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from connectors import drf, errors
from connectors.client import VendorClient, json_or_none, raise_for_status
from connectors.paging import LoopGuard

API = "/api/v2"
EMPLOYEES = f"{API}/employees/employees/"
APP_TIMESTAMPS = f"{API}/devices/app-timestamps/"
#: not in the document (it names Timespans without a path): the real servers' path, which takes
#: daterange=YYYY-MM-DD|YYYY-MM-DD, employee_ids=a|b and verbosity=detail|duration|device
TIMESPANS = f"{API}/timestamps/timespans/"
MAX_LIMIT = 1000  # the server's LimitOffsetPagination cap

#: non_field_errors that mean "the state is already like that": a replay, not bad data
CONFLICT_MARKERS = ("already checked in", "not checked in", "overlaps")


@dataclass(frozen=True)
class ListPage:
    results: list[Any]
    resume_offset: int  # the offset to ask for to continue after this page
    count: int | None
    last: bool = False  # nothing follows this page


class ZeitstromClient(VendorClient):
    vendor = "Zeitstrom"

    def __init__(self, base_url: str, token: str, **kwargs):
        super().__init__(base_url, **kwargs)
        self._token = token

    def auth_headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Token {self._token}"}  # DRF TokenAuthentication: not Bearer

    def is_auth_expired(self, response: httpx.Response) -> bool:
        return False  # a token is revoked, never expired: logging in again cannot help

    # -- errors -----------------------------------------------------------------------------
    def raise_for_vendor_error(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        body = json_or_none(response)
        if body is None:  # Django's own HTML pages: no DRF view answered
            drf.raise_for_html_page(response, "Zeitstrom")
        message, field = drf.error_message(body, non_field_is_field=True)
        message = message or f"HTTP {status}"
        if status == 401:
            raise errors.AuthenticationError(
                f"Zeitstrom refused the API token ({message}); create a new token in Zeitstrom "
                "and save it in this vendor account.",
                status_code=status,
            )
        if status == 400 and any(marker in message.lower() for marker in CONFLICT_MARKERS):
            raise errors.ConflictError(message, field=field, status_code=status)
        raise_for_status(response, message, field=field)

    # -- requests ---------------------------------------------------------------------------
    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.json(self.request("GET", path, params=params))

    def post_json(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.json(self.request("POST", path, json=dict(body)))

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, offset: int = 0
    ) -> Iterator[ListPage]:
        """Pages of a list, following ``next`` (or, when the envelope has no ``next`` key at
        all, the offset after this page until ``count`` is reached).

        Only ``next``'s query is used, on our own base URL: behind a proxy DRF often builds the
        link with an inner host or ``http``. When ``count`` drops between pages, rows before our
        offset were deleted and the rest shifted left; we step back by the drop so no row is
        skipped (the caller de-duplicates what comes twice).
        """
        limit = max(1, min(self.options.page_size, MAX_LIMIT))
        query: dict[str, Any] = {**(params or {}), "limit": limit, "offset": max(0, offset)}
        guard = LoopGuard(self.vendor)
        previous_count: int | None = None
        while True:
            guard.check(urlencode(sorted((k, str(v)) for k, v in query.items())))
            body = self.get_json(path, query)
            if isinstance(body, list):  # pagination switched off: one page holds everything
                yield ListPage(body, len(body), len(body), last=True)
                return
            if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
                raise errors.ProtocolError(f"Zeitstrom answered {path} without a results list.")
            results = body["results"]
            count = _int_or_none(body.get("count"))
            current = _int_or_none(query.get("offset")) or 0
            known = previous_count is not None and count is not None
            dropped = previous_count - count if known else 0
            previous_count = count
            if dropped > 0 and current > 0:
                back = max(0, current - dropped)
                yield ListPage(results, back, count)  # resuming here must re-read the gap too
                query = {**query, "offset": back}
                continue
            if "next" not in body:  # an envelope without links: page on by count and offset
                done = len(results) < limit if count is None else current + len(results) >= count
                done = done or not results
                yield ListPage(results, current + len(results), count, last=done)
                if done:
                    return
                query = {**query, "offset": current + len(results)}
                continue
            following = body.get("next")
            done = not following or following == "null"
            yield ListPage(results, current + len(results), count, last=done)
            if done:
                return
            query = dict(parse_qsl(urlsplit(str(following)).query, keep_blank_values=True))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
