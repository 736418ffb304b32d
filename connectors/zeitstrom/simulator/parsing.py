"""Reading a request the way DRF does: its body parsers and its field and filter messages."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo

from werkzeug.wrappers import Request, Response

from connectors.simkit.base import json_response
from connectors.zeitstrom.simulator import drf

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def read_body(request: Request) -> dict | Response:
    """JSON, form or multipart; anything else with a body is a 415, a non-object a 400."""
    raw = request.get_data(cache=True)
    if request.mimetype == "application/json":
        try:
            data = json.loads(raw) if raw else {}
        except ValueError as exc:
            return drf.detail(f"JSON parse error - {exc}", 400)
    elif request.mimetype in FORM_TYPES:
        data = request.form.to_dict()
    elif not raw:
        data = {}
    else:
        return drf.detail(f'Unsupported media type "{request.content_type}" in request.', 415)
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else type(data).__name__
        message = f"Invalid data. Expected a dictionary, but got {kind}."
        return json_response({"non_field_errors": [message]}, 400)
    return data


def datetime_field(
    data: dict, errors: dict, zone: tzinfo, name: str, *, required: bool, nullable: bool = False
) -> datetime | None:
    """A DateTimeField: adds the field's error to ``errors`` and returns None when it fails."""
    if name not in data:
        if required:
            errors[name] = [drf.REQUIRED]
        return None
    value = data[name]
    if value is None:
        if not nullable:
            errors[name] = [drf.NULL]
        return None
    parsed = drf.parse_datetime(value, zone)
    if parsed is None:
        errors[name] = [drf.DATETIME_FORMAT]
    return parsed


def query_datetime(request: Request, zone: tzinfo, name: str, errors: dict) -> datetime | None:
    """A django-filter datetime filter (``checkin_time__gte=…``); blank means no filter."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    parsed = drf.parse_datetime(raw, zone)
    if parsed is None:
        errors[name] = ["Enter a valid date/time."]
    return parsed
