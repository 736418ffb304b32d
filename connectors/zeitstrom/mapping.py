"""Zeitstrom JSON ↔ canonical records. Pure functions, no I/O.

Zeitstrom is a Django REST framework server: datetimes are ISO 8601 with ``Z`` or the server's
offset (``+02:00``), durations are whole seconds, ``checkout_time``/``duration`` are null while
the person is still checked in, and an employee is archived (not deleted) when they leave.
Every mapper is tolerant of strings where numbers are expected, missing keys and nulls; what
cannot be mapped comes back as a :class:`SkippedRecord` with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.records import PersonRecord, PunchRecord, SkippedRecord, TimeCardRecord
from connectors.values import text

#: canonical punch direction → the ``intent`` of an app timestamp. Zeitstrom only knows working
#: sessions: a break out ends the session, a break in starts the next one.
INTENT_FOR_DIRECTION = {
    "in": "checkin",
    "out": "checkout",
    "break_in": "checkin",
    "break_out": "checkout",
}
DIRECTION_FOR_INTENT = {"checkin": "in", "checkout": "out"}


# -- scalars ---------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """DRF datetime (``Z``, an offset, or naive = UTC) → aware UTC; blank/unparsable → None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime | None) -> str | None:
    """Aware datetime → ISO 8601 in UTC with ``Z`` (what we send); naive is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def seconds(value: Any) -> int | None:
    """A duration in seconds as int, "32400", "32400.0" or null."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


# -- employees ↔ people ---------------------------------------------------------------------
def person_from_employee(raw: Mapping[str, Any]) -> PersonRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("employee is not a JSON object", {"value": raw})
    vendor_id = text(raw.get("id"))
    if not vendor_id:
        return SkippedRecord("employee without an id", raw)
    archived_at = parse_time(raw.get("archived_at"))
    archived_text = raw.get("archived_at")
    if archived_text not in (None, "") and archived_at is None:
        # an archive mark we cannot read must not turn a leaver back into an active person
        return SkippedRecord(f"employee {vendor_id}: unreadable archived_at {archived_text!r}", raw)
    return PersonRecord(
        vendor_id=vendor_id,
        code=text(raw.get("accounting_number")),
        first_name=text(raw.get("first_name")),
        last_name=text(raw.get("last_name")),
        email=text(raw.get("email")),
        active=archived_at is None,
        terminated_on=archived_at.date() if archived_at else None,
        raw=dict(raw),
    )


def employee_from_person(person: PersonRecord) -> dict[str, Any]:
    """The employee fields a PersonRecord carries (for comparisons and drift, not for writes)."""
    return {
        "id": person.vendor_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "accounting_number": person.code,
        "archived": not person.active,
    }


def modified_at(raw: Mapping[str, Any]) -> datetime | None:
    return parse_time(raw.get("modified_at")) if isinstance(raw, Mapping) else None


# -- timespans ↔ time cards -----------------------------------------------------------------
def timespan_employee(raw: Mapping[str, Any]) -> str:
    """Whose timespan: ``employee_id``, or ``employee`` as an id or an object; "" when the row
    does not say (compact rows never do)."""
    found = raw.get("employee_id") or raw.get("employee")
    if isinstance(found, Mapping):
        found = found.get("id")
    return text(found)


def time_card_from_timespan(
    raw: Mapping[str, Any], employee_id: str = ""
) -> TimeCardRecord | SkippedRecord:
    """``employee_id``: whose rows these are when the caller asked for one employee's alone
    (rows that do not name their employee)."""
    if not isinstance(raw, Mapping):
        return SkippedRecord("timespan is not a JSON object", {"value": raw})
    vendor_id = text(raw.get("id"))
    if not vendor_id:
        return SkippedRecord("timespan without an id", raw)
    employee_id = timespan_employee(raw) or employee_id
    if not employee_id:
        return SkippedRecord(f"timespan {vendor_id} without an employee", raw)
    checkin = parse_time(raw.get("checkin_time"))
    if checkin is None:
        reason = f"timespan {vendor_id}: unreadable checkin_time {raw.get('checkin_time')!r}"
        return SkippedRecord(reason, raw)
    checkout = parse_time(raw.get("checkout_time"))
    if raw.get("checkout_time") not in (None, "") and checkout is None:
        reason = f"timespan {vendor_id}: unreadable checkout_time {raw.get('checkout_time')!r}"
        return SkippedRecord(reason, raw)
    duration = seconds(raw.get("duration"))
    if duration is None and checkout is not None:
        duration = int((checkout - checkin).total_seconds())
    return TimeCardRecord(
        vendor_id=vendor_id,
        person_id=employee_id,
        clock_in=checkin,
        clock_out=checkout,
        entry_type="job",
        hours=None if checkout is None or duration is None else duration / 3600,
        raw=dict(raw),
    )


def timespan_from_time_card(card: TimeCardRecord) -> dict[str, Any]:
    return {
        "id": card.vendor_id,
        "employee_id": card.person_id,
        "checkin_time": format_time(card.clock_in),
        "checkout_time": format_time(card.clock_out),
        "duration": None if card.hours is None else round(card.hours * 3600),
    }


# -- punches → app timestamps ---------------------------------------------------------------
def app_timestamp_body(employee_id: str, occurred_at: datetime, direction: str) -> dict[str, str]:
    """The document's request body; raises KeyError for a direction Zeitstrom cannot take."""
    return {
        "intent": INTENT_FOR_DIRECTION[direction],
        "employee_id": employee_id,
        "time": format_time(occurred_at),
    }


def punch_from_app_timestamp(
    raw: Mapping[str, Any], direction: str, occurred_at: datetime
) -> PunchRecord:
    """What a pushed punch became. ``vendor_id`` is "<timespan id>:<intent>", the same whether
    the answer was a new app timestamp or an earlier one found again after a lost answer."""
    intent = text(raw.get("intent")) or INTENT_FOR_DIRECTION[direction]
    return PunchRecord(
        vendor_id=f"{text(raw.get('timespan_id') or raw.get('id'))}:{intent}",
        person_code="",  # Zeitstrom answers with the employee's UUID only
        person_id=text(raw.get("employee_id")) or None,
        occurred_at=parse_time(raw.get("time")) or occurred_at,
        direction=direction,
        uploaded_at=parse_time(raw.get("created_at")),
        raw=dict(raw),
    )
