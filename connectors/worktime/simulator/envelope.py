"""WorkTime One's answer shapes: ``{"success": true, "data": …[, "pagination": …]}`` and
``{"success": false, "error": {"code", "message", "field"}}``, plus request-parameter parsing that
raises :class:`ApiError` with the offending ``field``."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from werkzeug.wrappers import Request, Response

from connectors.simkit.base import json_response

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self, headers: dict[str, str] | None = None) -> Response:
        return error(self.status, self.code, self.message, self.field, headers)


def invalid(field: str | None, message: str) -> ApiError:
    return ApiError(400, "invalid_request", message, field)


def required(field: str) -> ApiError:
    return invalid(field, f"The '{field}' field is required")


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def ok(data, status: int = 200, pagination: dict | None = None) -> Response:
    body = {"success": True, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return json_response(body, status)


def error(status: int, code: str, message: str, field: str | None = None, headers=None) -> Response:
    body = {"success": False, "error": {"code": code, "message": message, "field": field}}
    return json_response(body, status, headers)


@dataclass(frozen=True)
class PageRequest:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def block(self, total: int) -> dict:
        return {"page": self.page, "limit": self.limit, "total": total}


def page_request(request: Request, clamp_limit: bool) -> PageRequest:
    page = _positive_int(request, "page", 1)
    limit = _positive_int(request, "limit", DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        if not clamp_limit:
            raise invalid("limit", f"The 'limit' field must not be greater than {MAX_LIMIT}")
        limit = MAX_LIMIT
    return PageRequest(page, limit)


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"The '{name}' field must be an integer") from None
    if value < 1:
        raise invalid(name, f"The '{name}' field must be at least 1")
    return value


def parse_date(value, name: str) -> date:
    if not isinstance(value, str):
        raise invalid(name, f"The '{name}' field must be a date (YYYY-MM-DD)")
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(name, f"The '{name}' field must be a date (YYYY-MM-DD)") from None


def query_date(request: Request, name: str, *, needed: bool = False) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if needed:
            raise required(name)
        return None
    return parse_date(raw, name)


def date_range(request: Request, *, needed: bool = False) -> tuple[date | None, date | None]:
    start = query_date(request, "start_date", needed=needed)
    end = query_date(request, "end_date", needed=needed)
    if start and end and end < start:
        raise invalid("end_date", "The 'end_date' must not be before 'start_date'")
    return start, end


def parse_timestamp(value, name: str) -> datetime:
    """ISO 8601 with a zone (``2024-11-18T09:00:00Z`` or ``+01:00``); naive times are refused."""
    if not isinstance(value, str):
        raise invalid(name, f"The '{name}' field must be an ISO 8601 timestamp")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(name, f"The '{name}' field must be an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise invalid(name, f"The '{name}' field must include a time zone (e.g. Z)")
    return moment.astimezone(UTC)


def json_body(request: Request) -> dict:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid(None, "The request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise invalid(None, "The request body must be a JSON object")
    return body


def api(handler):
    """Turn an :class:`ApiError` raised by a handler into the vendor's error answer."""

    @functools.wraps(handler)
    def wrapper(self, request, **values):
        try:
            return handler(self, request, **values)
        except ApiError as exc:
            return exc.response()

    return wrapper
