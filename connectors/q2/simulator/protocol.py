"""How Q2 talks: request parameters, the ``statusCode`` envelope, its messages and time formats.

The document sends parameters either in the URL query or as a JSON text body (jQuery's ``$.post``
with ``JSON.stringify`` labels it form-encoded, PHP labels it JSON): the body is read as JSON
whatever its Content-Type says.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from connectors.simkit.base import json_response

PATH = "/Jun-Inside-VPC"
QUERY_TIME_CARDS = "api/q2QueryTimeCards"
QUERY_USERS = "api/q2QueryUsers"

MAX_RECORDS = 5000
NOT_CLOCKED_OUT = "0000-00-00 00:00:00"
END_OF_DATA = "-1"

ALL_USERS = ("", "ALL USERS")
ALL_DEPARTMENTS = ("", "ALL DEPARTMENTS")
ALL_ROLES = ("", "ALL ROLES")
ALL_COLUMNS = ("", "ALL COLUMNS")
ROLES = ("Admin", "Manager", "Employee", "Inactive")

# Messages the document lists ...
COMPANY_NOT_FOUND = "Company ID not found."
TOKEN_NOT_CORRECT = "Developer token is not correct."
USER_NOT_FOUND = "User Full Name not found."
DEPARTMENT_NOT_FOUND = "Department Name not found."
ROLE_NOT_FOUND = "Role not found."
# ... and ones it does not (worded the same way; an assumption).
COMMAND_NOT_FOUND = "Command not found."
BAD_DATE_TIME = "Date time format is not correct. Use 0000-00-00 00:00:00."
BAD_NEXT_RECORD = "nextRecord is not correct."

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def read_params(request: Request, *, accept_form: bool) -> dict[str, str]:
    """Query parameters overlaid with the body's; every value turned into text like the server."""
    params = dict(request.args.items())
    raw = request.get_data(cache=True).strip()
    if not raw:
        return params
    try:
        body = json.loads(raw)
    except ValueError:
        body = dict(parse_qsl(raw.decode("utf-8", "replace"))) if accept_form else None
    if isinstance(body, dict):
        params.update({str(key): as_text(value) for key, value in body.items()})
    return params


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def success(data: list[dict], next_record: str) -> Response:
    return json_response(
        {"statusCode": "SUCCESS", "message": "", "nextRecord": next_record, "data": data}
    )


def error(message: str) -> Response:
    """Refusals still answer HTTP 200; only ``statusCode`` says it failed."""
    return json_response(
        {"statusCode": "ERROR", "message": message, "nextRecord": END_OF_DATA, "data": []}
    )


def gateway(message: str, status: int) -> Response:
    """What the AWS API Gateway in front of Q2 answers on its own (unknown path, timeouts)."""
    return json_response({"message": message}, status=status)


def format_time(value: datetime | None, zone: tzinfo) -> str:
    if value is None:
        return NOT_CLOCKED_OUT
    return value.astimezone(zone).strftime(_TIME_FORMAT)


def parse_time(text: str, zone: tzinfo) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` (or a bare date) in ``zone``; raises ValueError when malformed."""
    text = text.strip()
    if not text:
        return None
    try:
        naive = datetime.strptime(text, _TIME_FORMAT)
    except ValueError:
        naive = datetime.strptime(text, "%Y-%m-%d")
    return naive.replace(tzinfo=zone).astimezone(UTC)


def page_size(text: str) -> int:
    """``maxRecords``: "" means 5000, and no page is larger than 5000."""
    try:
        value = int(text)
    except ValueError:
        return MAX_RECORDS
    return MAX_RECORDS if value <= 0 else min(value, MAX_RECORDS)


def columns(text: str) -> list[str] | None:
    """``returnColumns`` "$a$b$c" as a list, or None for every column."""
    if text.strip().upper() in ALL_COLUMNS:
        return None
    return [name for name in text.split("$") if name]
