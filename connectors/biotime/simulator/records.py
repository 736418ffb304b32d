"""The rows a BioTime server keeps: departments, areas and positions (code/name trees),
employees, resignations and terminals. Plain slotted dataclasses; JSON shapes live in render.py."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TreeKind:
    """Departments, areas and positions share one shape: code, name, optional parent."""

    path: str  # "departments"
    label: str  # model name in messages: "department"
    code_key: str  # "dept_code"
    name_key: str  # "dept_name"
    parent_key: str  # "parent_dept"


TREE_KINDS = {
    "departments": TreeKind("departments", "department", "dept_code", "dept_name", "parent_dept"),
    "areas": TreeKind("areas", "area", "area_code", "area_name", "parent_area"),
    "positions": TreeKind(
        "positions", "position", "position_code", "position_name", "parent_position"
    ),
}


@dataclass(slots=True)
class Node:
    id: int
    code: str
    name: str
    parent_id: int | None = None


#: Employee fields by the type a client may send them as (PATCH accepts any of them).
EMPLOYEE_STR_FIELDS = (
    "first_name", "last_name", "nickname", "device_password", "card_no", "gender", "contact_tel",
    "office_tel", "mobile", "national", "city", "address", "postcode", "email", "enroll_sn", "ssn",
    "religion",
)  # fmt: skip
EMPLOYEE_DATE_FIELDS = ("hire_date", "birthday")
EMPLOYEE_BOOL_FIELDS = ("enable_att", "enable_overtime", "enable_holiday")
EMPLOYEE_INT_FIELDS = ("verify_mode", "emp_type", "dev_privilege", "app_status", "app_role")


@dataclass(slots=True)
class Employee:
    id: int
    emp_code: str
    department_id: int
    area_ids: list[int]
    first_name: str | None = None
    last_name: str | None = None
    nickname: str | None = None
    device_password: str | None = None
    card_no: str | None = None
    position_id: int | None = None
    hire_date: str | None = None
    gender: str | None = None
    birthday: str | None = None
    verify_mode: int | None = -1
    emp_type: int | None = None
    contact_tel: str | None = None
    office_tel: str | None = None
    mobile: str | None = None
    national: str | None = None
    city: str | None = None
    address: str | None = None
    postcode: str | None = None
    email: str | None = None
    enroll_sn: str | None = None
    ssn: str | None = None
    religion: str | None = None
    enable_att: bool = True
    enable_overtime: bool = False
    enable_holiday: bool = True
    dev_privilege: int | None = 0
    app_status: int | None = 0
    app_role: int | None = 1
    flow_role: list[int] = field(default_factory=list)
    #: custom attributes an admin added in the web UI; shown only with the custom_fields quirk
    custom: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Resign:
    id: int
    employee_id: int
    resign_date: str
    resign_type: int
    disableatt: bool
    reason: str = ""


@dataclass(slots=True)
class Terminal:
    id: int
    sn: str
    alias: str
    ip_address: str
    area_id: int
    terminal_name: str | None = None
    fw_ver: str | None = None
    push_ver: str | None = None
    terminal_tz: int = 1
    transfer_time: str = "00:00;14:05"
    transfer_interval: int = 1
    is_attendance: bool = True
    fp_count: int | None = None
    face_count: int | None = None
    palm_count: int | None = None
    #: device clock ahead of real time by this many seconds (punch_time later than upload_time)
    clock_ahead_seconds: int = 0
    #: daily local windows (minutes after midnight, [start, end)) when the device is offline and
    #: keeps punches to upload at the window's end
    offline_windows: tuple[tuple[int, int], ...] = ()
    #: one-off outages as epoch seconds [start, end): a weekend with the network down. Punches
    #: made then upload at the end, possibly more than a day late
    offline_spans: tuple[tuple[int, int], ...] = ()
    #: "thermal": sends body temperatures; "none": a build that reports 255 (no sensor)
    sensor: str = ""
