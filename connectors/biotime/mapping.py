"""BioTime JSON ↔ canonical records: pure functions, tolerant of every build's type variations.

What varies (vendor-quirks.md): a foreign key is an id (8.x, object GETs), an object (9.x lists)
or missing; ``punch_state`` is ``"0"`` or ``1``; terminal ``state`` is ``1`` or ``"1"``; times are
naive text in the server's zone; employees may carry custom top-level keys (kept in ``raw``).
A row that cannot be mapped becomes a :class:`SkippedRecord` with the reason, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from connectors.records import (
    DepartmentRecord,
    DeviceRecord,
    PersonRecord,
    PositionRecord,
    PunchRecord,
    SiteRecord,
    SkippedRecord,
    punch_record,
)
from connectors.timezones import local_naive_to_utc, parse_date, zone_hours
from connectors.values import integer, text

#: punch_state → direction; overtime in/out count as in/out (the canonical set has no overtime)
DIRECTIONS = {0: "in", 1: "out", 2: "break_out", 3: "break_in", 4: "in", 5: "out", 255: "unknown"}
#: terminal ``state``: 1 online, 2 busy sending data (still connected), 3 offline
ONLINE_STATES = {1, 2}

#: code/name/parent keys of the three code-name trees, by API path segment
TREE_KEYS = {
    "departments": ("dept_code", "dept_name", "parent_dept"),
    "areas": ("area_code", "area_name", "parent_area"),
    "positions": ("position_code", "position_name", "parent_position"),
}


# -- small tolerant readers ------------------------------------------------------------------------


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):  # BioTime sends some flags as true/false, some as 1/0
        return int(value)
    return integer(value)


def ref_id(value: Any) -> str | None:
    """A foreign key as the referenced id: ``3``, ``"3"`` or ``{"id": 3, ...}`` → ``"3"``."""
    kind = value.__class__
    if kind is int:  # the common shapes first: ids of every transaction
        return str(value)
    if kind is str:
        return value.strip() or None
    if isinstance(value, Mapping):
        value = value.get("id")
    if value is None or isinstance(value, (bool, list, dict)):
        return None
    found = text(value)
    return found or None


def ref_ids(value: Any) -> tuple[str, ...]:
    """A many-to-many (employee ``area``): a list of ids or objects, or one of them alone."""
    items = value if isinstance(value, list) else [value]
    return tuple(found for found in (ref_id(item) for item in items) if found is not None)


def ref_name(row: Mapping[str, Any], key: str, name_key: str) -> str:
    """The display name of ``row[key]``: from the nested object, else the sibling ``<name_key>``."""
    value = row.get(key)
    if isinstance(value, Mapping) and text(value.get(name_key)):
        return text(value.get(name_key))
    return text(row.get(name_key))


def local_time(value: Any, time_zone: str) -> datetime | None:
    """Naive server-local ``YYYY-MM-DD HH:MM:SS`` → aware UTC; anything unreadable → None."""
    if value.__class__ is str and len(value) == 19 and value[10] == " " and value[-1].isdigit():
        # the shape every build sends, read straight; the tolerant path below for the rest
        try:
            if value[0].isdigit():
                return zone_hours(time_zone).utc_of_text(value)
        except (ValueError, KeyError, OverflowError):
            pass  # the tolerant path decides (None, as it would have)
    raw = text(value).replace("T", " ")
    if len(raw) < 16:
        return None
    try:
        return local_naive_to_utc(raw if len(raw) >= 19 else raw + ":00", time_zone)
    except (ValueError, KeyError, OverflowError):  # bad text, unknown zone, year 1 or 9999
        return None


def day(value: Any) -> date | None:
    try:
        return parse_date(text(value) or None)
    except ValueError:
        return None


def _names(lookup: Mapping[str, str] | None, key: str | None) -> str:
    return (lookup or {}).get(key or "", "")


# -- people ----------------------------------------------------------------------------------------
def person_from_employee(
    row: Any,
    *,
    resigned_on: date | None = None,
    resigned: bool = False,
    departments: Mapping[str, str] | None = None,
    positions: Mapping[str, str] | None = None,
) -> PersonRecord | SkippedRecord:
    """An employee (8.x flat or 9.x nested, list or object shape) as a PersonRecord.

    ``departments``/``positions`` (id → name) fill the names an object GET leaves out.
    ``resigned``/``resigned_on`` come from the person's resignation (the list hides them).
    """
    if not isinstance(row, Mapping):
        return SkippedRecord("employee is not a JSON object", {"value": repr(row)})
    vendor_id, code = ref_id(row.get("id")), text(row.get("emp_code"))
    if vendor_id is None:
        return SkippedRecord("employee without an id", row)
    if not code:
        return SkippedRecord(f"employee {vendor_id} has no emp_code", row)
    department_id = ref_id(row.get("department"))
    position_id = ref_id(row.get("position"))
    phones = (text(row.get(key)) for key in ("mobile", "contact_tel", "office_tel"))
    phone = next((found for found in phones if found), "")
    return PersonRecord(
        vendor_id=vendor_id,
        code=code,
        first_name=text(row.get("first_name")),
        last_name=text(row.get("last_name")),
        email=text(row.get("email")),
        phone=phone,
        department_id=department_id,
        department_name=(
            ref_name(row, "department", "dept_name") or _names(departments, department_id)
        ),
        position_id=position_id,
        position_name=(
            ref_name(row, "position", "position_name") or _names(positions, position_id)
        ),
        site_ids=ref_ids(row.get("area")),
        hire_date=day(row.get("hire_date")),
        active=not (resigned or resigned_on),
        terminated_on=resigned_on,
        raw=row,
    )


#: employee keys person_from_employee maps onto PersonRecord fields (names come with their ids)
MAPPED_EMPLOYEE_KEYS = frozenset({
    "id", "emp_code", "first_name", "last_name", "email", "mobile", "contact_tel", "office_tel",
    "department", "dept_name", "position", "position_name", "area", "area_name", "hire_date",
})  # fmt: skip
#: keys never to show anyone: the device PIN and the self-service password hash
SECRET_EMPLOYEE_KEYS = frozenset({"device_password", "self_password"})
#: the employee keys the API document lists; anything else is a custom field an admin added
DOCUMENTED_EMPLOYEE_KEYS = MAPPED_EMPLOYEE_KEYS | SECRET_EMPLOYEE_KEYS | frozenset({
    "nickname", "card_no", "gender", "birthday", "verify_mode", "emp_type", "national", "city",
    "address", "postcode", "enroll_sn", "ssn", "religion", "enable_att", "enable_overtime",
    "enable_holiday", "dev_privilege", "flow_role", "app_status", "app_role",
})  # fmt: skip


def extra_fields(raw: Mapping[str, Any], *, custom_only: bool = False) -> dict[str, Any]:
    """The employee's fields that no PersonRecord field holds, as the vendor sent them, for a
    person's page: BioTime's own unmapped fields (nickname, card number, …) and the custom
    ones (any key, spaces allowed: "Passport No", "Global ID"). ``custom_only``: only the keys
    the API document does not list. Secrets (device PIN, password hash) are never included.
    """
    if not isinstance(raw, Mapping):
        return {}
    left_out = DOCUMENTED_EMPLOYEE_KEYS if custom_only else MAPPED_EMPLOYEE_KEYS
    return {
        str(key): value
        for key, value in raw.items()
        if key not in left_out and key not in SECRET_EMPLOYEE_KEYS
    }


def employee_body(
    person: PersonRecord,
    *,
    department_id: str | None = None,
    area_ids: tuple[str, ...] | None = None,
    position_id: str | None = None,
) -> dict[str, Any]:
    """The POST/PATCH body for ``person``; ids already resolved (the caller's lookups)."""
    body: dict[str, Any] = {
        "emp_code": person.code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "mobile": person.phone,
    }
    if person.hire_date is not None:
        body["hire_date"] = person.hire_date.isoformat()
    department = department_id if department_id is not None else person.department_id
    if department is not None:
        body["department"] = _pk(department)
    areas = area_ids if area_ids is not None else person.site_ids
    if areas:
        body["area"] = [_pk(a) for a in areas]
    position = position_id if position_id is not None else person.position_id
    if position is not None:
        body["position"] = _pk(position)
    return body


def _pk(value: str) -> int | str:
    return int(value) if value.isdigit() else value


# -- departments, areas, positions -----------------------------------------------------------------
def node_from_row(kind: str, row: Any):
    """A department, area (site) or position row as its canonical record."""
    code_key, name_key, parent_key = TREE_KEYS[kind]
    if not isinstance(row, Mapping):
        return SkippedRecord(f"{kind} row is not a JSON object", {"value": repr(row)})
    vendor_id = ref_id(row.get("id"))
    if vendor_id is None:
        return SkippedRecord(f"{kind} row without an id", row)
    name, code = text(row.get(name_key)), text(row.get(code_key))
    if kind == "areas":
        return SiteRecord(vendor_id, name, code, raw=row)
    cls = DepartmentRecord if kind == "departments" else PositionRecord
    return cls(vendor_id, name, code, ref_id(row.get(parent_key)), raw=row)


def node_body(
    kind: str,
    *,
    name: str | None = None,
    code: str | None = None,
    parent_id: str | None = None,
    with_parent: bool = False,
) -> dict[str, Any]:
    code_key, name_key, parent_key = TREE_KEYS[kind]
    body: dict[str, Any] = {}
    if code is not None:
        body[code_key] = code
    if name is not None:
        body[name_key] = name
    if with_parent:
        body[parent_key] = _pk(parent_id) if parent_id is not None else None
    return body


# -- terminals -------------------------------------------------------------------------------------
def device_from_terminal(row: Any, time_zone: str) -> DeviceRecord | SkippedRecord:
    if not isinstance(row, Mapping):
        return SkippedRecord("terminal is not a JSON object", {"value": repr(row)})
    vendor_id = ref_id(row.get("id"))
    if vendor_id is None:
        return SkippedRecord("terminal without an id", row)
    serial = text(row.get("sn"))
    return DeviceRecord(
        vendor_id=vendor_id,
        name=text(row.get("alias")) or text(row.get("terminal_name")) or serial,
        kind="terminal",
        serial=serial,
        site_id=ref_id(row.get("area")),
        online=as_int(row.get("state")) in ONLINE_STATES,
        last_seen_at=local_time(row.get("last_activity"), time_zone),
        firmware=text(row.get("fw_ver")),
        raw=row,
    )


# -- transactions ----------------------------------------------------------------------------------
#: punch_state as sent (a number, or its digits as text) → direction, read without parsing
_DIRECTION_OF_STATE = {**DIRECTIONS, **{str(state): name for state, name in DIRECTIONS.items()}}


def direction(punch_state: Any) -> str:
    found = _DIRECTION_OF_STATE.get(punch_state) if punch_state.__class__ in (int, str) else None
    return found or DIRECTIONS.get(as_int(punch_state), "unknown")


def punch_from_transaction(
    row: Any, time_zone: str, terminal_ids: Mapping[str, str] | None = None
) -> PunchRecord | SkippedRecord:
    """A transaction as a PunchRecord. ``terminal_ids`` (serial → terminal id) links the punch
    to its DeviceRecord; a serial not in it is used as the device id itself."""
    if row.__class__ is not dict and not isinstance(row, Mapping):
        return SkippedRecord("transaction is not a JSON object", {"value": repr(row)})
    vendor_id = ref_id(row.get("id"))
    if vendor_id is None:
        return SkippedRecord("transaction without an id", row)
    code = text(row.get("emp_code"))
    if not code:
        return SkippedRecord(f"transaction {vendor_id} has no emp_code", row)
    occurred = local_time(row.get("punch_time"), time_zone)
    if occurred is None:
        return SkippedRecord(f"transaction {vendor_id} has no readable punch_time", row)
    serial = text(row.get("terminal_sn"))
    return punch_record(
        vendor_id=vendor_id,
        person_code=code,
        occurred_at=occurred,
        direction=direction(row.get("punch_state")),
        device_id=(terminal_ids or {}).get(serial, serial) or None,
        person_id=ref_id(row.get("emp")),  # null for people enrolled only on a device
        uploaded_at=local_time(row.get("upload_time"), time_zone),
        raw=row,
    )
