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
  "no start" default 2001-01-01 means none. The console gives every new user a far-future
  ``expiry_datetime`` (2030-12-31 23:59, older builds 2037-12-31 23:59): that is no end at all.
  Any other expiry is ``terminated_on`` (a local date); a user is inactive only when
  ``disabled`` or when the expiry lies in the past (at the read time ``now``).
- The vendor's administrator (user 1), the account Workgate logs in with and any user holding an
  operator level are ``system_account``: Workgate never links or changes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
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
    AccessGroupRecord,
    DepartmentRecord,
    DeviceRecord,
    DoorRecord,
    PersonRecord,
    SkippedRecord,
)
from connectors.timezones import zone

NO_START = datetime(2001, 1, 1, tzinfo=UTC)  # BioStar's default start_datetime: "no start"
NO_EXPIRY = datetime(2037, 12, 31, 23, 59, tzinfo=UTC)  # BioStar's latest expiry (older default)
CONSOLE_EXPIRY = datetime(2030, 12, 31, 23, 59, tzinfo=UTC)  # the console's default for new users
ADMIN_USER_ID = "1"  # the vendor's own Administrator
#: ``permission.id`` of account levels that are not operators (the document's /api/permissions)
PLAIN_PERMISSIONS = {"255", "100000"}  # User, Visitor
PLAIN_OPERATOR_LEVELS = {"", "user", "none", "visitor"}  # the v2 search's ``operator_level``
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


def is_no_expiry(expiry: datetime) -> bool:
    """The console's defaults (minute precision; seconds and fractions vary by build)."""
    minute = expiry.replace(second=0, microsecond=0)
    return minute in (CONSOLE_EXPIRY, NO_EXPIRY) or minute > NO_EXPIRY


def is_system_account(row: Mapping[str, Any], own_login_id: str = "") -> bool:
    """User 1, the login Workgate itself uses, or any user with an operator level."""
    if text(row.get("user_id")) == ADMIN_USER_ID:
        return True
    login_id = text(row.get("login_id"))
    if own_login_id and login_id == own_login_id:
        return True
    permission = row.get("permission")
    permission_id = ref_id(permission) if permission not in (None, "", {}) else None
    if permission_id and permission_id not in PLAIN_PERMISSIONS:
        return True
    level = row.get("operator_level")
    return level is not None and text(ref_name(level) or level).lower() not in PLAIN_OPERATOR_LEVELS


def person_from_vendor(
    row: Any,
    time_zone: str = "UTC",
    *,
    now: datetime | None = None,
    own_login_id: str = "",
) -> PersonRecord | SkippedRecord:
    """``now`` is the read time (an expiry before it ends access); ``own_login_id`` the login
    the connector uses (that user is a system account)."""
    if not isinstance(row, Mapping):
        return SkippedRecord(f"a user row is {type(row).__name__}, not an object", {"row": row})
    user_id = text(row.get("user_id"))
    if not user_id:
        return SkippedRecord("user without user_id", row)
    first, last = split_name(text(row.get("name")))
    start = parse_utc(row.get("start_datetime"))
    expiry = parse_utc(row.get("expiry_datetime"))
    if expiry is not None and is_no_expiry(expiry):
        expiry = None
    expired = expiry is not None and expiry <= (now or datetime.now(UTC))
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
        active=not truthy(row.get("disabled")) and not truthy(row.get("expired")) and not expired,
        terminated_on=_local_date(expiry, time_zone),
        system_account=is_system_account(row, own_login_id),
        # left out of a row when the user has none (the page reads a missing list as none)
        access_group_ids=tuple(sorted(access_group_ids(row))) if "access_groups" in row else None,
        raw=row,
    )


def access_group_from_vendor(row: Any) -> AccessGroupRecord | SkippedRecord:
    if not isinstance(row, Mapping) or not ref_id(row):
        return SkippedRecord("access group without an id", {"row": row})
    return AccessGroupRecord(
        vendor_id=ref_id(row),
        name=text(row.get("name")) or f"Access group {ref_id(row)}",
        description=text(row.get("description")),
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
            if is_no_expiry(expiry):  # a real end that would read back as "no end"
                expiry = min(expiry, NO_EXPIRY) - timedelta(minutes=1)
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

# ``POST /api/doors/status`` rows: ``status`` is a bit mask as text (-1 invalid); ``alarm`` is
# ``status`` ORed with an alarm code (1 held open, 2 forced open). Codes 1 and 2 share their bits
# with "locked" and "unlocked", so a code is read only from bits ``status`` does not set.
LOCKED, UNLOCKED, FORCED, HELD, APB_FAILED, DISCONNECTED = 1, 2, 4, 8, 16, 32
SCHEDULE_LOCKED, SCHEDULE_UNLOCKED = 64, 128
EMERGENCY_LOCKED, EMERGENCY_UNLOCKED = 256, 512
OPERATOR_LOCKED, OPERATOR_UNLOCKED = 1024, 2048
ALARM_CODE_HELD, ALARM_CODE_FORCED = 1, 2
UNLOCKED_BITS = UNLOCKED | SCHEDULE_UNLOCKED | EMERGENCY_UNLOCKED | OPERATOR_UNLOCKED
MODES = (  # strongest first
    (EMERGENCY_LOCKED | EMERGENCY_UNLOCKED, "lockdown"),
    (OPERATOR_LOCKED, "manual_lock"),
    (OPERATOR_UNLOCKED, "manual_unlock"),
    (SCHEDULE_LOCKED, "scheduled_lock"),
    (SCHEDULE_UNLOCKED, "scheduled_unlock"),
)


def door_alarm(status: Mapping[str, Any]) -> str | None:
    """``"forced"``, ``"held_open"`` or None from a status row's ``status``/``alarm`` masks."""
    bits = to_int(status.get("status"), 0) or 0
    alarm = to_int(status.get("alarm"), 0) or 0
    if bits < 0 or alarm < 0:
        return None
    code = alarm & ~bits
    if bits & FORCED or code & ALARM_CODE_FORCED:
        return "forced"
    if bits & HELD or code & ALARM_CODE_HELD:
        return "held_open"
    return None


def door_state(
    status: Mapping[str, Any] | None, event_alarm: str | None = None
) -> tuple[str, str, datetime | None]:
    """``(state, mode, last_open_at)`` from a door status row; no row means offline.

    ``event_alarm`` is an alarm the event log shows raised and not cleared (``"forced"`` or
    ``"held_open"``): builds that never report alarms in the status call still show them."""
    if not isinstance(status, Mapping):
        return "offline", "normal", None
    bits = to_int(status.get("status"), 0) or 0
    alarm = door_alarm(status) or event_alarm
    if bits < 0 or bits & DISCONNECTED:
        state = "offline"
    elif alarm:
        state = alarm
    elif truthy(status.get("opened")):
        state = "open"
    elif truthy(status.get("unlocked")) or bits & UNLOCKED_BITS:
        state = "unlocked"
    else:
        state = "locked"
    mode = next((name for mask, name in MODES if bits > 0 and bits & mask), "normal")
    return state, mode, from_epoch(status.get("last_open_time"))


def door_from_vendor(
    row: Any, status: Mapping[str, Any] | None = None, event_alarm: str | None = None
) -> DoorRecord | SkippedRecord:
    """A door row (``/api/doors``) joined with its status row (``/api/doors/status``) and the
    alarm its events show open (see :func:`door_state`)."""
    if not isinstance(row, Mapping):
        return SkippedRecord(f"a door row is {type(row).__name__}, not an object", {"row": row})
    door_id = ref_id(row.get("id"))
    if not door_id:
        return SkippedRecord("door without id", row)
    state, mode, last_open = door_state(status, event_alarm)
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
        group=door_group(row.get("door_group_id")),
        raw=raw,
    )


def door_group(value: Any) -> str:
    """The door group's name; a build that sends only ``{"id": …}`` gives "Door group <id>"."""
    group_id = ref_id(value)
    return ref_name(value) or (f"Door group {group_id}" if group_id else "")


def status_by_door(rows: list[Any]) -> dict[str, Mapping[str, Any]]:
    found = {}
    for row in rows:
        if isinstance(row, Mapping):
            door_id = ref_id(row.get("door_id"))
            if door_id:
                found[door_id] = row
    return found
