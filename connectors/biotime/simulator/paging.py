"""BioTime's list answers: DRF page-number paging inside the ``count/next/previous/msg/code/data``
envelope, with ``next``/``previous`` as full URLs built the way DRF builds them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from connectors.biotime.simulator.directory import ApiError
from connectors.biotime.simulator.quirks import BioTimeFaults, BioTimeQuirks


def page_url(request: Request, page: int | None) -> str:
    """This request's absolute URL with ``page`` replaced (removed when None), params sorted."""
    query = {key: request.args.getlist(key) for key in request.args}
    if page is None:
        query.pop("page", None)
    else:
        query["page"] = [str(page)]
    base = request.host_url.rstrip("/") + request.path
    encoded = urlencode(sorted(query.items()), doseq=True)
    return f"{base}?{encoded}" if encoded else base


def page_size(request: Request, quirks: BioTimeQuirks, default: int, maximum: int) -> int:
    """The size asked for under the parameter name this build honours; DRF falls back silently."""
    raw = request.args.get(quirks.page_size_param, "")
    try:
        asked = int(raw)
    except ValueError:
        return default
    return min(asked, maximum) if asked > 0 else default


def paginate(
    request: Request,
    total: int,
    fetch: Callable[[int, int], list],
    *,
    quirks: BioTimeQuirks,
    faults: BioTimeFaults,
    default_size: int,
    max_size: int,
) -> dict:
    size = page_size(request, quirks, default_size, max_size)
    last_page = max(1, -(-total // size))
    raw_page = request.args.get("page", "1") or "1"
    try:
        page = last_page if raw_page == "last" else int(raw_page)
    except ValueError:
        raise ApiError(404, {"detail": "Invalid page."}) from None
    if not 1 <= page <= last_page:
        raise ApiError(404, {"detail": "Invalid page."})
    items = fetch((page - 1) * size, size)
    next_url = page_url(request, page + 1) if page < last_page else None
    if next_url is not None and faults.take("repeat_page"):
        next_url = page_url(request, page)  # the loop: "next" is this very page
    if next_url is not None and faults.take("ends_early"):
        next_url = None  # paging stops here; "count" still promises the rest
    if page == 1:
        previous = None
    else:
        previous = page_url(request, None if page == 2 else page - 1)
    if next_url is None and quirks.next_as_string_null:
        next_url = "null"
    body = {
        "count": total,
        "next": next_url,
        "previous": previous,
        "msg": "",
        "code": 0,
    }
    if not items and quirks.empty_page_results_key:
        body["results"] = []
    body["data"] = items
    return body
