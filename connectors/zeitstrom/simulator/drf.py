"""How a Django REST framework server words things: error bodies, limit/offset pages, datetimes.

Kept apart from the handlers so the wording lives in one place and tests can quote it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from connectors.simkit.base import json_response

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

NOT_AUTHENTICATED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."
TOKEN_HEADER_EMPTY = "Invalid token header. No credentials provided."
TOKEN_HEADER_SPACES = "Invalid token header. Token string should not contain spaces."
NOT_FOUND = "Not found."
NO_PERMISSION = "You do not have permission to perform this action."
REQUIRED = "This field is required."
NULL = "This field may not be null."
INVALID_UUID = "Must be a valid UUID."
DATETIME_FORMAT = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)

# Django's own pages (not DRF): what a URL that matches no route, or a crash, answers in production.
DJANGO_404_HTML = (
    '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n'
    "  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n"
    "</body>\n</html>\n"
)
DJANGO_500_HTML = (
    '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n'
    "<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)


def detail(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_response({"detail": message}, status=status, headers=headers)


def field_errors(errors: dict[str, list[str]]) -> Response:
    return json_response(errors, status=400)


def html(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/html")


def throttled(wait_seconds: int) -> Response:
    unit = "second" if wait_seconds == 1 else "seconds"
    return detail(
        f"Request was throttled. Expected available in {wait_seconds} {unit}.",
        429,
        headers={"Retry-After": str(wait_seconds)},
    )


# -- datetimes -------------------------------------------------------------------------------
def format_datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """DRF's DateTimeField: ISO 8601 in the server's current zone, ``Z`` for UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_datetime(value: object, zone: tzinfo) -> datetime | None:
    """ISO 8601 as DRF accepts it; a naive value is taken to be in the server's zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


# -- limit/offset pagination -------------------------------------------------------------------
def page_params(request: Request) -> tuple[int, int]:
    """``limit`` and ``offset`` the way LimitOffsetPagination reads them (bad values fall back)."""
    limit = _positive_int(request.args.get("limit"), strict=True)
    limit = DEFAULT_LIMIT if limit is None else min(limit, MAX_LIMIT)
    offset = _positive_int(request.args.get("offset"), strict=False) or 0
    return limit, offset


def _positive_int(raw: str | None, *, strict: bool) -> int | None:
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    if value is None or value < 0 or (strict and value == 0):
        return None
    return value


def page_body(
    request: Request, count: int, limit: int, offset: int, results: list, *, links: bool = True
) -> dict:
    """``links`` off: a build whose envelope has no ``next``/``previous`` at all."""
    if not links:
        return {"count": count, "results": results}
    return {
        "count": count,
        "next": _next_link(request, count, limit, offset),
        "previous": _previous_link(request, limit, offset),
        "results": results,
    }


def _next_link(request: Request, count: int, limit: int, offset: int) -> str | None:
    if offset + limit >= count:
        return None
    return _with_params(request, limit=limit, offset=offset + limit)


def _previous_link(request: Request, limit: int, offset: int) -> str | None:
    if offset <= 0:
        return None
    if offset - limit <= 0:
        return _with_params(request, limit=limit, offset=None)
    return _with_params(request, limit=limit, offset=offset - limit)


def _with_params(request: Request, **changes: int | None) -> str:
    """DRF's replace_query_param: the request's absolute URL with params replaced, keys sorted."""
    params = {key: request.args.getlist(key) for key in request.args}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = [str(value)]
    query = urlencode(sorted(params.items()), doseq=True)
    base = request.host_url.rstrip("/") + request.path
    return f"{base}?{query}" if query else base
