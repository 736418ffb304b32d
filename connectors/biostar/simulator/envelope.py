"""BioStar's wire conventions: the ``Response`` envelope, error codes, string scalars, timestamps.

Every answer carries ``Response: {code, message}`` with ``code "0"`` for success; collections are
``<Name>Collection: {total, rows}``; scalars are strings (``"true"``, ``"12"``); optional fields are
left out rather than sent as null; timestamps look like ``2030-12-31T23:59:00.00Z``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request


class ApiError(Exception):
    """An error answer: HTTP status, BioStar ``Response.code`` and a message a person can act on."""

    def __init__(self, status: int, code: str, message: str, *, malformed: bool = False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.malformed = malformed  # the body was unreadable (old servers end the session)


# The error catalogue. The document lists "known errors" but not their bodies; these codes are the
# simulator's, except "10"/"Login required." which real servers send (vendor-quirks.md).
def login_required() -> ApiError:
    return ApiError(401, "10", "Login required.")


def login_failed() -> ApiError:
    return ApiError(401, "11", "Login failed: check the login ID and password.")


def not_found(message: str = "Not found.") -> ApiError:
    return ApiError(404, "20", message)


def invalid(message: str) -> ApiError:
    return ApiError(400, "30", message)


def duplicate(message: str) -> ApiError:
    return ApiError(400, "31", message)


def malformed(message: str = "Malformed request: the body must be a JSON object.") -> ApiError:
    return ApiError(400, "32", message, malformed=True)


def method_not_allowed(method: str) -> ApiError:
    return ApiError(405, "40", f"Method {method} is not allowed on this endpoint.")


SUCCESS = {"code": "0", "message": "Success"}


def ok(**parts: Any) -> dict[str, Any]:
    """A success body: the given top-level parts plus ``Response``."""
    return {**parts, "Response": dict(SUCCESS)}


def collection(rows: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {"total": str(len(rows) if total is None else total), "rows": rows}


# -- scalars ------------------------------------------------------------------------------------
def bstr(value: bool) -> str:
    return "true" if value else "false"


def truthy(value: Any) -> bool:
    """Booleans arrive as JSON booleans, "true"/"false", 1/0 or "1"/"0"."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def query_ids(raw: str) -> list[str]:
    """``?id=1+2+3`` (the ``+`` arrives as a space), also tolerating commas."""
    return [part for part in re.split(r"[+ ,]", raw or "") if part]


def as_list(value: Any) -> list[Any]:
    """Arrays arrive as JSON arrays or, as in many of the document's examples, as ``{"0": ...}``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if all(str(key).isdigit() for key in value):
            return [value[key] for key in sorted(value, key=lambda k: int(k))]
        return [value]
    return [value]


def ref_id(value: Any) -> str | None:
    """An id given as ``5``, ``"5"`` or ``{"id": 5}``, as a string."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == "":
        return None
    return str(value)


def parse_int(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid(f"{name} must be a number, got {value!r}.") from None


# -- time ---------------------------------------------------------------------------------------
def fmt_ts(moment: datetime) -> str:
    """``2030-12-31T23:59:00.00Z``: two fractional digits, a literal Z (even for local times)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"


def parse_ts(value: Any, name: str = "datetime") -> datetime:
    """Accepts ``...00.00Z``, ``...00.000Z``, ``...00Z`` and naive ``2001-01-01T00:00:00`` (UTC)."""
    text = str(value or "").strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(f"{name} is not a date-time: {value!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- request bodies -----------------------------------------------------------------------------
def read_json(request: Request, *, required: bool = True) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise malformed("The request body is empty; send a JSON object (at least {}).")
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise malformed() from None
    if not isinstance(body, dict):
        raise malformed()
    return body


# -- answer shapes switched by quirks -----------------------------------------------------------
_V2_NUMERIC_KEYS = {
    "id", "total", "depth", "user_count", "face_count", "fingerprint_template_count",
    "visual_face_count", "card_count", "mobile_count", "qr_count", "last_modified",
    "updated_count", "status", "open_timeout", "open_duration", "relay_index", "input_index",
}  # fmt: skip


def to_v2(value: Any, key: str | None = None) -> Any:
    """The v2 endpoints' typing: numeric keys as integers, "true"/"false" as JSON booleans."""
    if isinstance(value, dict):
        return {k: to_v2(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [to_v2(v, key) for v in value]
    if isinstance(value, str):
        if value in ("true", "false"):
            return value == "true"
        if key in _V2_NUMERIC_KEYS and value.lstrip("-").isdigit():
            return int(value)
    return value


def index_arrays(value: Any) -> Any:
    """Render every array as an object keyed by position, as the document's v1 examples do."""
    if isinstance(value, list):
        return {str(i): index_arrays(v) for i, v in enumerate(value)}
    if isinstance(value, dict):
        return {k: index_arrays(v) for k, v in value.items()}
    return value


def drop_empty_collections(body: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in body.items()
        if not (key.endswith("Collection") and isinstance(value, dict) and not value.get("rows"))
    }
