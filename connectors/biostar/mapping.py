"""BioStar JSON ↔ canonical records: users, user groups, devices, doors and their status.

Pure functions. A record that cannot be mapped becomes a :class:`SkippedRecord` with the reason;
type variations (strings vs integers, indexed-object arrays, refs as ids or objects, missing
optional fields) are absorbed by :mod:`connectors.biostar.scalars`.

Choices where BioStar and the canonical records differ:
- ``user_id`` is the person's code (kept as sent: "00042" stays "00042") and also its vendor id.
- BioStar has one ``name``: split on its first space into first and last name, joined back with
  one space.
- The user group is the department (``user_group_id`` ↔ ``department_id``); the free-text
  ``department`` and ``user_title`` fields are ``department_name`` and ``position_name``.
- ``start_datetime`` is the hire date (local midnight in the account's zone); the vendor's
  "no start" default 2001-01-01 means none. ``expiry_datetime`` before BioStar's far-future
  default is ``terminated_on`` (a local date); ``active`` is not ``disabled`` and not ``expired``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from connectors.biostar.scalars import (
    as_list,
    format_utc,
    from_epoch,
    parse_utc,
    ref_id,
    ref_name,
    text,
    to_int,
    truthy,
)
from connectors.records import (
    DepartmentRecord,
    DeviceRecord,
    DoorRecord,
    PersonRecord,
    SkippedRecord,
)
from connectors.timezones import zone

NO_START = datetime(2001, 1, 1, tzinfo=UTC)  # BioStar's default start_datetime: "no start"
NO_EXPIRY = datetime(2037, 12, 31, 23, 59, tzinfo=UTC)  # BioStar's default and latest expiry
ROOT_GROUP_ID = "1"  # "All Users"

# -- people -------------------------------------------------------------------------------------


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last


def join_name(first: str, last: str) -> str:
    return f"{first} {last}" if last else first


def _local_date(moment: datetime | None, time_zone: str) -> date | None:
    return moment.astimezone(zone(time_zone)).date() if moment else None


def local_midnight(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(time_zone)).astimezone(UTC)


def local_end_of_day(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=zone(time_zone)).astimezone(UTC)


def person_from_vendor(row: Any, time_zone: str = "UTC") -> PersonRecord | SkippedRecord:
    if not isinstance(row, Mapping):
        return SkippedRecord(f"a user row is {type(row).__name__}, not an object", {"row": row})
    user_id = text(row.get("user_id"))
    if not user_id:
        return SkippedRecord("user without user_id", row)
    first, last = split_name(text(row.get("name")))
    start = parse_utc(row.get("start_datetime"))
    expiry = parse_utc(row.get("expiry_datetime"))
    group = row.get("user_group_id")
    return PersonRecord(
        vendor_id=user_id,
        code=user_id,
        first_name=first,
        last_name=last,
        email=text(row.get("email")),
        phone=text(row.get("phone")),
        department_id=ref_id(group),
        department_name=text(row.get("department")),
        position_name=text(row.get("user_title") or row.get("title")),
        hire_date=_local_date(start, time_zone) if start and start > NO_START else None,
        active=not truthy(row.get("disabled")) and not truthy(row.get("expired")),
        terminated_on=_local_date(expiry, time_zone) if expiry and expiry < NO_EXPIRY else None,
        raw=row,
    )


def access_group_ids(row: Mapping[str, Any]) -> list[str]:
    """The user's access groups as ids (``access_groups`` is a list or an indexed object)."""
    return [gid for gid in (ref_id(group) for group in as_list(row.get("access_groups"))) if gid]


def person_to_vendor(
    person: PersonRecord, time_zone: str = "UTC", *, creating: bool
) -> dict[str, Any]:
    """The ``User`` body for create (``creating``) or update. Strings, like BioStar sends them.

    An update leaves ``disabled``/``expiry_datetime`` alone (terminate and rehire own them) and
    never changes ``user_id`` (BioStar cannot rename a user).
    """
    user: dict[str, Any] = {}
    if creating:
        user["user_id"] = person.code
    user["name"] = join_name(person.first_name, person.last_name)
    user["email"] = person.email
    user["phone"] = person.phone
    user["department"] = person.department_name
    user["user_title"] = person.position_name
    if person.department_id:
        user["user_group_id"] = {"id": person.department_id}
    elif creating:
        user["user_group_id"] = {"id": ROOT_GROUP_ID}
    if person.hire_date:
        user["start_datetime"] = format_utc(local_midnight(person.hire_date, time_zone))
    elif creating:
        user["start_datetime"] = format_utc(NO_START)
    if creating:
        user["disabled"] = "false" if person.active else "true"
        expiry = NO_EXPIRY
        if person.terminated_on:
            expiry = local_end_of_day(person.terminated_on, time_zone)
        user["expiry_datetime"] = format_utc(min(expiry, NO_EXPIRY))
    return user


# -- user groups --------------------------------------------------------------------------------


def department_from_vendor(row: Any) -> DepartmentRecord | SkippedRecord:
    if not isinstance(row, Mapping):
        return SkippedRecord(f"a user group is {type(row).__name__}, not an object", {"row": row})
    group_id = ref_id(row.get("id"))
    if not group_id:
        return SkippedRecord("user group without id", row)
    return DepartmentRecord(
        vendor_id=group_id,
        name=text(row.get("name")),
        parent_id=ref_id(row.get("parent_id")),
        raw=row,
    )


def department_to_vendor(department: DepartmentRecord) -> dict[str, Any]:
    group: dict[str, Any] = {"name": department.name}
    if department.parent_id:
        group["parent_id"] = {"id": department.parent_id}
    return group


# -- devices ------------------------------------------------------------------------------------

_CONTROLLER_WORDS = ("corestation", "core station", "cs-40", "doormodule", "dm-20", "sio", "om-120")


def device_kind(type_name: str) -> str:
    """Readers with a screen or sensor are terminals; CoreStation and I/O modules controllers."""
    lowered = type_name.lower()
    return "controller" if any(word in lowered for word in _CONTROLLER_WORDS) else "terminal"


def device_from_vendor(row: Any) -> DeviceRecord | SkippedRecord:
    if not isinstance(row, Mapping):
        return SkippedRecord(f"a device row is {type(row).__name__}, not an object", {"row": row})
    device_id = ref_id(row.get("id"))
    if not device_id:
        return SkippedRecord("device without id", row)
    device_type = row.get("device_type_id")
    return DeviceRecord(
        vendor_id=device_id,
        name=text(row.get("name")),
        kind=device_kind(ref_name(device_type) or text(device_type)),
        serial=device_id,  # a BioStar device id is the device's serial number
        online=to_int(row.get("status")) == 1,  # 0 disconnected, 1 connected, 2 sync error
        firmware=text(row.get("firmware_version") or row.get("version")),
        raw=row,
    )


# -- doors --------------------------------------------------------------------------------------

FLAG_EMERGENCY, FLAG_OPERATOR = 2, 4  # lock_flags / unlock_flags bits (1, the schedule, unread)
ALARM_FORCED, ALARM_HELD = 1, 2  # alarm_flags bits


def door_state(status: Mapping[str, Any] | None) -> tuple[str, str, datetime | None]:
    """``(state, mode, last_open_at)`` from a door status row; no row means offline."""
    if not isinstance(status, Mapping):
        return "offline", "normal", None
    alarms = to_int(status.get("alarm_flags"), 0) or 0
    lock_flags = to_int(status.get("lock_flags"), 0) or 0
    unlock_flags = to_int(status.get("unlock_flags"), 0) or 0
    opened = truthy(status.get("opened"))
    if truthy(status.get("disconnected")):
        state = "offline"
    elif alarms & ALARM_FORCED:
        state = "forced"
    elif truthy(status.get("heldopened")) or alarms & ALARM_HELD:
        state = "held_open"
    elif opened:
        state = "open"
    elif truthy(status.get("unlocked")):
        state = "unlocked"
    else:
        state = "locked"
    if (lock_flags | unlock_flags) & FLAG_EMERGENCY:
        mode = "lockdown"
    elif lock_flags & FLAG_OPERATOR:
        mode = "manual_lock"
    elif unlock_flags & FLAG_OPERATOR:
        mode = "manual_unlock"
    else:
        mode = "normal"
    return state, mode, from_epoch(status.get("last_open_time"))


def door_from_vendor(
    row: Any, status: Mapping[str, Any] | None = None
) -> DoorRecord | SkippedRecord:
    """A door row (``/api/doors``) joined with its status row (``/api/doors/status``)."""
    if not isinstance(row, Mapping):
        return SkippedRecord(f"a door row is {type(row).__name__}, not an object", {"row": row})
    door_id = ref_id(row.get("id"))
    if not door_id:
        return SkippedRecord("door without id", row)
    state, mode, last_open = door_state(status)
    device = row.get("entry_device_id")
    if device is None and isinstance(row.get("relay_output_id"), Mapping):
        device = row["relay_output_id"].get("device_id")
    raw = {**row, "status": dict(status)} if isinstance(status, Mapping) else row
    return DoorRecord(
        vendor_id=door_id,
        name=text(row.get("name")) or ref_name(status.get("door_id") if status else None),
        device_id=ref_id(device),
        state=state,
        mode=mode,
        last_open_at=last_open,
        raw=raw,
    )


def status_by_door(rows: list[Any]) -> dict[str, Mapping[str, Any]]:
    found = {}
    for row in rows:
        if isinstance(row, Mapping):
            door_id = ref_id(row.get("door_id"))
            if door_id:
                found[door_id] = row
    return found
