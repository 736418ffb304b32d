"""OpenTimeClock Q2 JSON ↔ canonical records. Pure functions, no I/O.

Q2 sends every value as a string (``entryType``/``approvedByEmployee`` as numbers on some
servers, as in the document's sample), times naive: time cards in the company's zone,
``createdDateTime``/``updateDateTime`` in "our server time" (AWS North Virginia). A time card has
no id of its own, so its ``vendor_id`` is built from what identifies it (see
:func:`time_card_key`). Users are keyed by ``userName``, the login, the only unique field.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from connectors import values
from connectors.records import PersonRecord, SkippedRecord, TimeCardRecord
from connectors.timezones import zone

SERVER_TIME_ZONE = "America/New_York"  # the document: "our server time ... aws North Virginia"
NOT_CLOCKED_OUT = "0000-00-00 00:00:00"
ENTRY_TYPES = {0: "job", 1: "pto", 2: "addition", 3: "deduction"}
ENTRY_TYPE_CODES = {name: code for code, name in ENTRY_TYPES.items()}
INACTIVE_ROLE = "inactive"
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


# -- scalars ---------------------------------------------------------------------------------
text = functools.partial(values.text, true="1", false="0")  # Q2 writes flags as "1"/"0"


def integer(value: Any) -> int | None:
    """``"0"``, ``0``, ``"0.0"``, ``" 2 "`` → int; anything else → None."""
    if isinstance(value, bool):
        return int(value)
    try:
        number = float(text(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def decimal(value: Any) -> float | None:
    try:
        number = float(text(value))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def is_zero_time(value: Any) -> bool:
    return text(value).startswith("0000-00-00")


def parse_local(value: Any, time_zone: str) -> datetime | None:
    """Naive ``YYYY-MM-DD HH:MM:SS`` in ``time_zone`` → aware UTC. Blank or the zero date →
    None; anything unreadable raises ValueError."""
    raw = text(value)
    if not raw or is_zero_time(raw):
        return None
    for fmt in _TIME_FORMATS:
        try:
            naive = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=zone(time_zone)).astimezone(UTC)
    raise ValueError(f"unreadable time {raw!r}")


def format_local(value: datetime | None, time_zone: str) -> str:
    if value is None:
        return NOT_CLOCKED_OUT
    return value.astimezone(zone(time_zone)).strftime("%Y-%m-%d %H:%M:%S")


def parse_day(value: Any) -> date | None:
    raw = text(value)
    if not raw or raw.startswith("0000"):
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def split_full_name(full: str) -> tuple[str, str]:
    first, _, last = full.strip().partition(" ")
    return first, last.strip()


# -- users ↔ people -------------------------------------------------------------------------
def person_from_user(raw: Mapping[str, Any]) -> PersonRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("user is not a JSON object", {"value": raw})
    user_name = text(raw.get("userName"))
    if not user_name:
        return SkippedRecord("user without a userName (Q2's only unique key)", raw)
    first, last = text(raw.get("firstName")), text(raw.get("lastName"))
    if not (first or last):
        first, last = split_full_name(text(raw.get("userFullName")))
    return PersonRecord(
        vendor_id=user_name,
        code=text(raw.get("employeeNumber")),  # may be blank: Q2 does not require one
        first_name=first,
        last_name=last,
        email=text(raw.get("email")),
        phone=text(raw.get("mobilePhone")),
        department_name=text(raw.get("departmentName")),
        hire_date=parse_day(raw.get("hiredDate")),
        active=text(raw.get("role")).lower() != INACTIVE_ROLE,
        raw=dict(raw),
    )


def user_from_person(person: PersonRecord) -> dict[str, Any]:
    """The user fields a PersonRecord carries (for comparisons; Q2 is read only)."""
    return {
        "userName": person.vendor_id,
        "employeeNumber": person.code,
        "userFullName": f"{person.first_name} {person.last_name}".strip(),
        "email": person.email,
        "mobilePhone": person.phone,
        "departmentName": person.department_name,
        "hiredDate": person.hire_date.isoformat() if person.hire_date else "",
        "active": person.active,
    }


def updated_at(raw: Mapping[str, Any], key: str = "updatedDateTime") -> datetime | None:
    """A server-time stamp (North Virginia) as UTC, None when missing or unreadable."""
    try:
        return parse_local(raw.get(key), SERVER_TIME_ZONE) if isinstance(raw, Mapping) else None
    except ValueError:
        return None


# -- time cards -----------------------------------------------------------------------------
def time_card_key(raw: Mapping[str, Any], entry_type: int) -> str:
    """Q2 gives cards no id: user, creation time, type and start identify one. Creation time alone
    is not enough (a week of PTO saved at once shares it); the start is needed too, so a card
    whose start a manager edits later comes back under a new key."""
    return "|".join(
        (
            text(raw.get("userName")),
            text(raw.get("createdDateTime")),
            str(entry_type),
            text(raw.get("inDateTime")),
        )
    )


def time_card_from_row(raw: Mapping[str, Any], time_zone: str) -> TimeCardRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("time card is not a JSON object", {"value": raw})
    user_name = text(raw.get("userName"))
    if not user_name:
        return SkippedRecord("time card without a userName", raw)
    code = integer(raw.get("entryType"))
    if code not in ENTRY_TYPES:
        reason = f"time card of {user_name}: unknown entryType {raw.get('entryType')!r}"
        return SkippedRecord(reason, raw)
    try:
        clock_in = parse_local(raw.get("inDateTime"), time_zone)
        clock_out = parse_local(raw.get("outDateTime"), time_zone)
    except ValueError as exc:
        return SkippedRecord(f"time card of {user_name}: {exc}", raw)
    if clock_in is None:
        return SkippedRecord(f"time card of {user_name} without inDateTime", raw)
    if code == 0:  # Q2: hours "not applicable" to jobs; the worked time is the span
        hours = None if clock_out is None else (clock_out - clock_in).total_seconds() / 3600
    elif text(raw.get("adjustHoursAmount")) == "1":
        hours = None  # an adjustment of money, not of hours: only in raw
    else:
        hours = decimal(raw.get("hours"))
    return TimeCardRecord(
        vendor_id=time_card_key(raw, code),
        person_id=user_name,
        clock_in=clock_in,
        clock_out=clock_out,
        entry_type=ENTRY_TYPES[code],
        hours=hours,
        raw=dict(raw),
    )


def row_from_time_card(card: TimeCardRecord, time_zone: str) -> dict[str, str]:
    """The time-card columns a TimeCardRecord carries, written the way Q2 writes them."""
    job = card.entry_type == "job"
    return {
        "userName": card.person_id,
        "inDateTime": format_local(card.clock_in, time_zone),
        "outDateTime": format_local(card.clock_out, time_zone),
        "entryType": str(ENTRY_TYPE_CODES[card.entry_type]),
        "hours": "0.000" if job or card.hours is None else f"{card.hours:.3f}",
    }


def is_open(card: TimeCardRecord) -> bool:
    """Clocked in and not yet out: the card will change, so it must be read again."""
    return card.entry_type == "job" and card.clock_out is None
