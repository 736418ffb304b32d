"""The JSON shapes a BioTime server answers, field by field as in its API document, varied by
the build's quirks (flat/nested employees, string or int types, localized displays)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from connectors.biotime.simulator.directory import Directory
from connectors.biotime.simulator.quirks import BioTimeQuirks
from connectors.biotime.simulator.records import TREE_KINDS, Employee, Node, Resign, Terminal
from connectors.biotime.simulator.transactions import Punch

PUNCH_STATE_DISPLAY = {
    "english": {
        0: "Check In", 1: "Check Out", 2: "Break Out", 3: "Break In", 4: "Overtime In",
        5: "Overtime Out", 255: "Unknown",
    },
    "french": {
        0: "Arrivée", 1: "Départ", 2: "Début de pause", 3: "Fin de pause",
        4: "Début heures sup.", 5: "Fin heures sup.", 255: "Inconnu",
    },
}  # fmt: skip
VERIFY_TYPE_DISPLAY = {0: "Password", 1: "Fingerprint", 4: "Card", 15: "Face", 25: "Palm"}
#: Custom employee attributes an admin defined; every employee carries every key.
CUSTOM_FIELD_NAMES = (
    "Cost Center", "Shift Group", "badge_colour", "Passport No", "Global ID", "Primary Job",
)  # fmt: skip
OFFLINE_STATE = 3


def local_text(ts: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts, tz).isoformat(" ")[:19]  # faster than strftime


# -- departments, areas, positions -------------------------------------------------------------
def node_body(kind: str, node: Node, directory: Directory, *, written: bool = False) -> dict:
    """List/detail shape; ``written`` gives the shorter create/update answer (parent as an id)."""
    spec = TREE_KINDS[kind]
    body = {"id": node.id, spec.code_key: node.code, spec.name_key: node.name}
    rows = directory.tree(kind)
    parent = rows.get(node.parent_id) if node.parent_id is not None else None
    if written:
        body[spec.parent_key] = node.parent_id
        return body
    if kind == "areas":  # areas nest their parent, departments and positions give its id
        body[spec.parent_key] = (
            None
            if parent is None
            else {
                "id": parent.id,
                spec.code_key: parent.code,
                spec.name_key: parent.name,
                spec.parent_key: parent.parent_id,
            }
        )
    else:
        body[spec.parent_key] = node.parent_id
    body[f"{spec.parent_key}_name"] = parent.name if parent else None
    return body


# -- employees ---------------------------------------------------------------------------------
def _self_password(employee: Employee) -> str:
    digest = hashlib.sha256(f"salt{employee.id}:{employee.emp_code}".encode()).digest()
    salt = base64.b64encode(hashlib.md5(str(employee.id).encode()).digest()).decode()[:12]
    return f"pbkdf2_sha256$36000${salt}${base64.b64encode(digest).decode()}"


def employee_body(
    employee: Employee, directory: Directory, quirks: BioTimeQuirks, *, nested: bool
) -> dict:
    """``nested``: the list/create shape of 9.x; otherwise foreign keys are ids.

    The flat 8.x build always sends ids plus the display names.
    """
    flat = quirks.employee_shape == "flat"
    department = directory.departments.get(employee.department_id)
    position = directory.positions.get(employee.position_id) if employee.position_id else None
    areas = [directory.areas[pk] for pk in employee.area_ids if pk in directory.areas]
    with_names = nested or flat
    body: dict = {
        "id": employee.id,
        "emp_code": employee.emp_code,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "nickname": employee.nickname,
        "device_password": employee.device_password,
        "card_no": employee.card_no,
    }
    if nested and not flat:
        body["department"] = (
            {"id": department.id, "dept_code": department.code, "dept_name": department.name}
            if department
            else None
        )
    else:
        body["department"] = employee.department_id
    if with_names:
        body["dept_name"] = department.name if department else None
    if nested and not flat:
        body["position"] = (
            {"id": position.id, "position_code": position.code, "position_name": position.name}
            if position
            else None
        )
    else:
        body["position"] = employee.position_id
    if with_names:
        body["position_name"] = position.name if position else None
    for name in (
        "hire_date", "gender", "birthday", "verify_mode", "emp_type", "contact_tel", "office_tel",
        "mobile", "national", "city", "address", "postcode", "email", "enroll_sn", "ssn",
        "religion", "enable_att", "enable_overtime", "enable_holiday", "dev_privilege",
    ):  # fmt: skip
        body[name] = getattr(employee, name)
    body["self_password"] = _self_password(employee)
    body["flow_role"] = list(employee.flow_role)
    if nested and not flat:
        body["area"] = [{"id": a.id, "area_code": a.code, "area_name": a.name} for a in areas]
    else:
        body["area"] = [a.id for a in areas]
    if with_names:
        body["area_name"] = ",".join(a.name for a in areas)
    body["app_status"] = employee.app_status
    body["app_role"] = employee.app_role
    if quirks.custom_fields:
        for name in CUSTOM_FIELD_NAMES:
            body[name] = employee.custom.get(name, "")
    return body


def resign_body(resign: Resign, directory: Directory) -> dict:
    employee = directory.employees.get(resign.employee_id)
    first = employee.first_name if employee else None
    last = employee.last_name if employee else None
    return {
        "id": resign.id,
        "resign_date": resign.resign_date,
        "resign_type": resign.resign_type,
        "disableatt": resign.disableatt,
        "employee": {
            "id": resign.employee_id,
            "emp_code": employee.emp_code if employee else None,
            "first_name": first,
            "last_name": last,
        },
        "first_name": first,
        "last_name": last,
    }


# -- terminals ---------------------------------------------------------------------------------
def _is_attendance(value: bool, quirks: BioTimeQuirks):
    if quirks.is_attendance_style == "int":
        return int(value)
    if quirks.is_attendance_style == "string":
        return str(int(value))
    return value


def terminal_is_offline(terminal: Terminal, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the current offline window or span began (local time), or None when online."""
    local = now.astimezone(tz)
    now_ts = now.timestamp()
    for start, end in terminal.offline_spans:
        if start <= now_ts < end:
            return datetime.fromtimestamp(start, tz)
    minute = local.hour * 60 + local.minute
    for start, end in terminal.offline_windows:
        if start <= minute < end:
            return local.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)
    return None


def terminal_body(
    terminal: Terminal,
    directory: Directory,
    quirks: BioTimeQuirks,
    *,
    now: datetime,
    tz: ZoneInfo,
    user_count: int,
    transaction_count: int,
) -> dict:
    area = directory.areas.get(terminal.area_id)
    offline_since = terminal_is_offline(terminal, now, tz)
    local_now = now.astimezone(tz).replace(microsecond=0)
    if offline_since is None:
        state, last_activity = 1, local_now.replace(second=local_now.second // 10 * 10)
    else:
        state = OFFLINE_STATE
        last_activity = offline_since.replace(second=7, microsecond=0)
    return {
        "id": terminal.id,
        "sn": terminal.sn,
        "ip_address": terminal.ip_address,
        "alias": terminal.alias,
        "terminal_name": terminal.terminal_name,
        "fw_ver": terminal.fw_ver,
        "push_ver": terminal.push_ver,
        "state": str(state) if quirks.terminal_state_as_string else state,
        "terminal_tz": terminal.terminal_tz,
        "area": {"id": area.id, "area_code": area.code, "area_name": area.name} if area else None,
        "last_activity": last_activity.strftime("%Y-%m-%d %H:%M:%S"),
        "user_count": user_count,
        "fp_count": terminal.fp_count,
        "face_count": terminal.face_count,
        "palm_count": terminal.palm_count,
        "transaction_count": transaction_count,
        "push_time": None,
        "transfer_time": terminal.transfer_time,
        "transfer_interval": terminal.transfer_interval,
        "is_attendance": _is_attendance(terminal.is_attendance, quirks),
        "area_name": area.name if area else None,
    }


# -- transactions ------------------------------------------------------------------------------
def _temperature(punch: Punch, terminal: Terminal | None, quirks: BioTimeQuirks):
    style = quirks.temperature
    if style == "mixed":
        sensor = terminal.sensor if terminal else ""
        style = {"thermal": "string", "none": "no_sensor"}.get(sensor, "zero")
    if style == "string":
        return f"{punch.temperature / 10:.1f}" if punch.temperature else "0.0"
    if style == "no_sensor":
        return 255
    return 0.0


def transaction_body(
    transaction_id: int,
    punch: Punch,
    directory: Directory,
    quirks: BioTimeQuirks,
    tz: ZoneInfo,
) -> dict:
    employee = directory.employees.get(punch.emp_pk) if punch.emp_pk is not None else None
    department = directory.departments.get(employee.department_id) if employee else None
    position = directory.positions.get(employee.position_id) if employee else None
    terminal = directory.terminals.get(punch.terminal_id)
    area = directory.areas.get(terminal.area_id) if terminal else None
    state = punch.punch_state
    if quirks.punch_state_display in PUNCH_STATE_DISPLAY:
        display = PUNCH_STATE_DISPLAY[quirks.punch_state_display].get(state, "Unknown")
    else:
        display = "Unknown" if quirks.punch_state_display == "unknown" else None
    return {
        "id": transaction_id,
        "emp": employee.id if employee else None,
        "emp_code": punch.emp_code,
        "first_name": employee.first_name if employee else None,
        "last_name": employee.last_name if employee else None,
        "department": department.name if department else None,
        "position": position.name if position else None,
        "punch_time": local_text(punch.punch_ts, tz),
        "punch_state": state if quirks.punch_state_as_int else str(state),
        "punch_state_display": display,
        "verify_type": (
            str(punch.verify_type) if quirks.verify_type_as_string else punch.verify_type
        ),
        "verify_type_display": VERIFY_TYPE_DISPLAY.get(punch.verify_type, "Other"),
        "work_code": "0",
        "gps_location": None,
        "area_alias": area.name if area else None,
        "terminal_sn": terminal.sn if terminal else None,
        "temperature": _temperature(punch, terminal, quirks),
        "terminal_alias": terminal.alias if terminal else None,
        "upload_time": local_text(punch.upload_ts, tz),
    }
