"""WorkTime One JSON ↔ canonical records. Pure functions, no I/O.

WorkTime One writes instants as ISO 8601 UTC (``2024-11-18T09:00:00Z``) and days as
``YYYY-MM-DD``; a time without a zone is taken in the account's zone. An employee has one
``name`` (split at the first space: "Anna Maria Schmidt" → "Anna" / "Maria Schmidt"; joined back
with one space), no employee code and no phone. An attendance record is one working session
(``clock_in`` … ``clock_out``, null while still clocked in): it becomes an "in" punch and, once
closed, an "out" punch with ids ``att_123:in`` / ``att_123:out``. Locks are TTLock smart locks:
the API says whether a lock is online, never whether it is open, and TTLocks relock by themselves,
so an online lock is "locked". Every mapper is tolerant of numbers as strings, missing keys and
nulls; what cannot be mapped comes back as a :class:`SkippedRecord` with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from connectors.records import (
    DeviceRecord,
    DoorRecord,
    LockEventRecord,
    PersonRecord,
    PunchRecord,
    SkippedRecord,
)
from connectors.timezones import zone
from connectors.values import text

ACTIVE, INACTIVE = "active", "inactive"
INACTIVE_STATUSES = {"inactive", "deleted", "terminated", "disabled", "archived", "false", "0"}
CLOCK_TYPE = {"in": "clock_in", "out": "clock_out"}  # canonical direction → the clock body's type
OFFLINE_STATUSES = {"offline", "disconnected", "unreachable", "false", "0"}


# -- scalars ---------------------------------------------------------------------------------


def ref(value: Any) -> str | None:
    """An id (``"emp_1"``, ``123`` or ``{"id": …}``) as a string; blank → None."""
    if isinstance(value, Mapping):
        value = value.get("id")
    found = text(value)
    return found or None


def label(value: Any) -> str:
    """A name that may come as a string or an object with ``name``."""
    if isinstance(value, Mapping):
        return text(value.get("name"))
    return text(value)


def to_bool(value: Any, default: bool | None = None) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    word = text(value).lower()
    if word in ("true", "yes", "1", "on", "online", "success"):
        return True
    if word in ("false", "no", "0", "off", "offline", "failed", "failure"):
        return False
    return default


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(text(value))
    except ValueError:
        return None
    return int(number) if number == number and abs(number) < 1e15 else None


def parse_time(value: Any, time_zone: str = "UTC") -> datetime | None:
    """ISO 8601 (``Z``, an offset, or naive = the account's zone) → aware UTC; else None."""
    raw = text(value)
    if not raw or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(time_zone))
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def format_time(value: datetime, time_zone: str = "UTC") -> str:
    """What we send: UTC with ``Z`` (the API refuses times without a zone)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(time_zone))
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_day(value: Any) -> date | None:
    raw = text(value)
    if len(raw) < 10 or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def local_day(moment: datetime | None, time_zone: str) -> date | None:
    if moment is None:
        return None
    try:
        return moment.astimezone(zone(time_zone)).date()
    except (OverflowError, ValueError):  # year 9999 pushed past the calendar's end
        return moment.date()


# -- people ----------------------------------------------------------------------------------
def split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


def join_name(first: str, last: str) -> str:
    return " ".join(f"{first} {last}".split())


def is_active(raw: Mapping[str, Any]) -> bool:
    """``status`` "active"/"inactive" (a bool on some builds); a ``deleted_at`` means soft-deleted."""
    if raw.get("deleted_at"):
        return False
    status = raw.get("status")
    if isinstance(status, bool | int | float):
        return bool(to_bool(status, True))
    return text(status).lower() not in INACTIVE_STATUSES


def person_from_employee(raw: Any) -> PersonRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("employee is not a JSON object", {"value": repr(raw)})
    vendor_id = ref(raw.get("id"))
    if vendor_id is None:
        return SkippedRecord("employee without an id", raw)
    if raw.get("first_name") is not None or raw.get("last_name") is not None:
        first, last = text(raw.get("first_name")), text(raw.get("last_name"))
    else:
        first, last = split_name(text(raw.get("name")))
    department = raw.get("department")
    return PersonRecord(
        vendor_id=vendor_id,
        code="",  # WorkTime One keeps no employee code: people match on e-mail
        first_name=first,
        last_name=last,
        email=text(raw.get("email")),
        department_id=ref(raw.get("department_id"))
        or (ref(department) if isinstance(department, Mapping) else None),
        department_name=label(department),
        position_name=label(raw.get("position")),
        hire_date=parse_day(raw.get("start_date")),
        active=is_active(raw),
        raw=raw,
    )


def employee_body(person: PersonRecord, department_id: str | None = None) -> dict[str, Any]:
    """The create/update body. ``department_id`` is the resolved WorkTime id (the portal knows
    departments by name); no department is sent when there is none to set. No salary: payroll
    data stays in WorkTime One."""
    body: dict[str, Any] = {
        "name": join_name(person.first_name, person.last_name),
        "email": person.email.strip(),
        "position": person.position_name,
    }
    department = department_id or person.department_id
    if department:
        body["department_id"] = department
    if person.hire_date:
        body["start_date"] = person.hire_date.isoformat()
    return body


def department_pairs(raw: Any) -> tuple[str, str] | None:
    """(name, id) of an employee's department, to resolve names the portal sends."""
    if not isinstance(raw, Mapping):
        return None
    name, dept_id = (
        label(raw.get("department")),
        ref(raw.get("department_id")) or ref(raw.get("department")),
    )
    if name and dept_id and dept_id != name:
        return name, dept_id
    return None


# -- attendance ------------------------------------------------------------------------------
def attendance_day(raw: Any, time_zone: str) -> date | None:
    """The record's day (the organisation's date of the clock-in), as the date filter uses it."""
    if not isinstance(raw, Mapping):
        return None
    return parse_day(raw.get("date")) or local_day(
        parse_time(raw.get("clock_in"), time_zone), time_zone
    )


def punches_from_attendance(
    raw: Any, time_zone: str
) -> tuple[list[PunchRecord], list[SkippedRecord]]:
    """An attendance record → its "in" punch and, once clocked out, its "out" punch."""
    if not isinstance(raw, Mapping):
        return [], [SkippedRecord("attendance record is not a JSON object", {"value": repr(raw)})]
    record_id, employee_id = ref(raw.get("id")), ref(raw.get("employee_id"))
    if record_id is None:
        return [], [SkippedRecord("attendance record without an id", raw)]
    if employee_id is None:
        return [], [SkippedRecord(f"attendance {record_id} names no employee", raw)]
    lock_id = ref(raw.get("lock_id"))
    punches, skipped = [], []
    for direction, key in (("in", "clock_in"), ("out", "clock_out")):
        value = raw.get(key)
        if value is None or value == "":
            if direction == "in":
                skipped.append(SkippedRecord(f"attendance {record_id} has no clock_in", raw))
            continue  # no clock_out yet: still clocked in
        at = parse_time(value, time_zone)
        if at is None:
            skipped.append(
                SkippedRecord(f"attendance {record_id} has an unreadable {key} {value!r}", raw)
            )
            continue
        punches.append(
            PunchRecord(
                vendor_id=f"{record_id}:{direction}",
                person_code=employee_id,  # WorkTime One punches under its own employee id
                occurred_at=at,
                direction=direction,
                device_id=lock_id,
                door_id=lock_id,
                person_id=employee_id,
                raw=raw,
            )
        )
    return punches, skipped


def clock_body(
    employee_id: str,
    direction: str,
    at: datetime,
    time_zone: str,
    lock_id: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "employee_id": employee_id,
        "type": CLOCK_TYPE[direction],
        "timestamp": format_time(at, time_zone),
    }
    if lock_id:
        body["lock_id"] = lock_id
    if notes:
        body["notes"] = notes
    return body


def punch_at(raw: Mapping[str, Any], direction: str, time_zone: str) -> datetime | None:
    return parse_time(raw.get(CLOCK_TYPE[direction]), time_zone)


# -- smart locks -----------------------------------------------------------------------------
def lock_online(raw: Mapping[str, Any]) -> bool:
    """``status`` "online"/"offline" when given, else whether the lock has a gateway."""
    status = raw.get("status")
    if status is not None and text(status):
        return text(status).lower() not in OFFLINE_STATUSES
    for key in ("online", "is_online", "has_gateway"):
        known = to_bool(raw.get(key))
        if known is not None:
            return known
    return False


def door_from_lock(raw: Any, time_zone: str = "UTC") -> DoorRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("lock is not a JSON object", {"value": repr(raw)})
    lock_id = ref(raw.get("id"))
    if lock_id is None:
        return SkippedRecord("lock without an id", raw)
    state = "locked" if lock_online(raw) else "offline"
    locked = to_bool(raw.get("locked"))  # not in the document; honoured if a build sends it
    if state == "locked" and locked is False:
        state = "unlocked"
    return DoorRecord(
        vendor_id=lock_id,
        name=text(raw.get("name")) or lock_id,
        device_id=lock_id,  # a TTLock is door and device in one
        state=state,
        last_open_at=parse_time(raw.get("last_activity_at"), time_zone),
        group=text(raw.get("location")),  # not in the document; what the lock list sends
        raw=raw,
    )


def device_from_lock(raw: Any, time_zone: str = "UTC") -> DeviceRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("lock is not a JSON object", {"value": repr(raw)})
    lock_id = ref(raw.get("id"))
    if lock_id is None:
        return SkippedRecord("lock without an id", raw)
    battery = to_int(raw.get("battery_level", raw.get("battery")))
    return DeviceRecord(
        vendor_id=lock_id,
        name=text(raw.get("name")) or lock_id,
        kind="lock",
        serial=text(raw.get("mac")) or text(raw.get("ttlock_id")),
        online=lock_online(raw),
        last_seen_at=parse_time(raw.get("last_activity_at"), time_zone),
        firmware=text(raw.get("firmware") or raw.get("firmware_version")),
        battery_level=battery if battery is not None and 0 <= battery <= 100 else None,
        raw=raw,
    )


def lock_event_from_history(
    raw: Any, lock_id: str, time_zone: str = "UTC"
) -> LockEventRecord | SkippedRecord:
    if not isinstance(raw, Mapping):
        return SkippedRecord("lock event is not a JSON object", {"value": repr(raw)})
    event_id = ref(raw.get("id"))
    if event_id is None:
        return SkippedRecord("lock event without an id", raw)
    at = parse_time(raw.get("timestamp"), time_zone)
    if at is None:
        return SkippedRecord(
            f"lock event {event_id} has an unreadable timestamp {raw.get('timestamp')!r}", raw
        )
    return LockEventRecord(
        vendor_id=event_id,
        lock_id=ref(raw.get("lock_id")) or lock_id,
        occurred_at=at,
        person_id=ref(raw.get("employee_id")),
        method=text(raw.get("access_method") or raw.get("method")),
        success=bool(to_bool(raw.get("success"), True)),
        raw=raw,
    )
