"""WorkTime One mapping: never crashes on type variations, and vendor → canonical → vendor keeps
every mapped field."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.records import (
    DOOR_STATES,
    DeviceRecord,
    DoorRecord,
    LockEventRecord,
    PersonRecord,
    PunchRecord,
    SkippedRecord,
)
from connectors.worktime import mapping

ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "null",
            "active",
            "inactive",
            "online",
            "offline",
            "2024-11-18T09:00:00Z",
            "2024-11-18T10:00:00+01:00",
            "2024-11-18 09:00:00",
            "2024-11-18",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00+05:00",
            "75000",
            "not a date",
            "true",
            "0",
        ]
    ),
)
ANY_VALUE = st.one_of(
    ANY_SCALAR,
    st.lists(ANY_SCALAR, max_size=2),
    st.dictionaries(st.sampled_from(["id", "name"]), ANY_SCALAR, max_size=2),
)
EMPLOYEE_KEYS = [
    "id",
    "name",
    "email",
    "department",
    "department_id",
    "position",
    "salary",
    "status",
    "start_date",
    "created_at",
    "deleted_at",
    "first_name",
    "last_name",
]
ATTENDANCE_KEYS = [
    "id",
    "employee_id",
    "employee_name",
    "clock_in",
    "clock_out",
    "work_hours",
    "late_minutes",
    "early_departure_minutes",
    "lock_id",
    "date",
]
LOCK_KEYS = [
    "id",
    "name",
    "location",
    "brand",
    "ttlock_id",
    "mac",
    "has_gateway",
    "battery_level",
    "status",
    "last_activity_at",
    "locked",
    "online",
]
EVENT_KEYS = [
    "id",
    "lock_id",
    "employee_id",
    "employee_name",
    "access_method",
    "timestamp",
    "success",
]
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
WORDS = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=12)
INSTANTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)


def rendered(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- never crash -----------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dictionaries(st.sampled_from(EMPLOYEE_KEYS), ANY_VALUE), ANY_SCALAR))
def test_employee_mapper_never_raises(raw):
    result = mapping.person_from_employee(raw)

    assert isinstance(result, PersonRecord | SkippedRecord)
    if isinstance(result, PersonRecord):
        assert result.vendor_id and result.code == "" and isinstance(result.active, bool)
        assert result.department_id is None or isinstance(result.department_id, str)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(ATTENDANCE_KEYS), ANY_VALUE), ZONES)
def test_attendance_mapper_never_raises(raw, zone_name):
    punches, skipped = mapping.punches_from_attendance(raw, zone_name)
    day = mapping.attendance_day(raw, zone_name)

    assert all(isinstance(p, PunchRecord) and p.occurred_at.tzinfo is UTC for p in punches)
    assert all(isinstance(s, SkippedRecord) and s.reason for s in skipped)
    assert punches or skipped
    assert day is None or isinstance(day, date)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(LOCK_KEYS), ANY_VALUE), ZONES)
def test_lock_mappers_never_raise(raw, zone_name):
    door = mapping.door_from_lock(raw, zone_name)
    device = mapping.device_from_lock(raw, zone_name)

    assert isinstance(door, DoorRecord | SkippedRecord) and isinstance(
        device, DeviceRecord | SkippedRecord
    )
    if isinstance(door, DoorRecord):
        assert door.state in DOOR_STATES and door.device_id == door.vendor_id
    if isinstance(device, DeviceRecord):
        assert device.kind == "lock"
        assert device.battery_level is None or 0 <= device.battery_level <= 100


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dictionaries(st.sampled_from(EVENT_KEYS), ANY_VALUE), ANY_SCALAR), ZONES)
def test_lock_event_mapper_never_raises(raw, zone_name):
    event = mapping.lock_event_from_history(raw, "lock_789", zone_name)

    assert isinstance(event, LockEventRecord | SkippedRecord)
    if isinstance(event, LockEventRecord):
        assert event.lock_id and event.occurred_at.tzinfo is UTC and isinstance(event.success, bool)


# -- type variations the quirks file warns about ----------------------------------------------
def test_ids_and_numbers_as_numbers_or_strings_map_the_same():
    as_text = mapping.person_from_employee(
        {"id": "42", "name": "A B", "status": "active", "department_id": "7"}
    )
    as_numbers = mapping.person_from_employee(
        {"id": 42, "name": "A B", "status": "active", "department_id": 7.0}
    )

    assert as_text == as_numbers


def test_soft_deleted_shapes_are_all_inactive():
    for raw in (
        {"id": 1, "status": "inactive"},
        {"id": 1, "status": "INACTIVE"},
        {"id": 1, "status": False},
        {"id": 1, "status": "active", "deleted_at": "2030-03-01T00:00:00Z"},
        {"id": 1, "status": 0},
    ):
        assert mapping.person_from_employee(raw).active is False, raw
    assert mapping.person_from_employee({"id": 1}).active is True


def test_department_and_position_as_objects():
    person = mapping.person_from_employee(
        {
            "id": "emp_1",
            "name": "A B",
            "department": {"id": "dept_7", "name": "IT"},
            "position": {"name": "Admin"},
        }
    )

    assert (person.department_id, person.department_name, person.position_name) == (
        "dept_7",
        "IT",
        "Admin",
    )


def test_naive_times_are_the_accounts_zone_and_utc_stays_utc():
    assert mapping.parse_time("2030-03-13T10:30:00", "Europe/Berlin") == datetime(
        2030, 3, 13, 9, 30, tzinfo=UTC
    )
    assert mapping.parse_time("2030-03-13T09:30:00Z", "Europe/Berlin") == datetime(
        2030, 3, 13, 9, 30, tzinfo=UTC
    )
    assert mapping.parse_time("2030-03-13T10:30:00+01:00", "UTC") == datetime(
        2030, 3, 13, 9, 30, tzinfo=UTC
    )


def test_an_open_attendance_record_gives_only_its_in_punch():
    punches, skipped = mapping.punches_from_attendance(
        {
            "id": "att_1",
            "employee_id": "emp_1",
            "clock_in": "2030-03-13T07:00:00Z",
            "clock_out": None,
        },
        "UTC",
    )

    assert [p.vendor_id for p in punches] == ["att_1:in"] and not skipped


def test_an_unreadable_clock_out_is_skipped_but_the_clock_in_kept():
    raw = {
        "id": "att_1",
        "employee_id": "emp_1",
        "clock_in": "2030-03-13T07:00:00Z",
        "clock_out": "soon",
    }

    punches, skipped = mapping.punches_from_attendance(raw, "UTC")

    assert [p.direction for p in punches] == ["in"] and "clock_out" in skipped[0].reason


def test_a_lock_state_follows_status_then_gateway():
    assert (
        mapping.door_from_lock({"id": "l", "status": "offline", "has_gateway": True}).state
        == "offline"
    )
    assert mapping.door_from_lock({"id": "l", "has_gateway": "1"}).state == "locked"
    assert (
        mapping.door_from_lock({"id": "l", "status": "online", "locked": False}).state == "unlocked"
    )
    assert mapping.door_from_lock({"id": "l"}).state == "offline"


# -- round trips ------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(
    first=WORDS,
    last=st.lists(WORDS, min_size=0, max_size=3).map(" ".join),
    user=WORDS,
    department=st.one_of(st.none(), st.from_regex(r"dept_[0-9]{3}", fullmatch=True)),
    position=st.text(max_size=20).map(str.strip),
    start=st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1))),
    status=st.sampled_from(["active", "inactive"]),
)
def test_employee_to_person_to_body_keeps_every_mapped_field(
    first, last, user, department, position, start, status
):
    raw = {
        "id": "emp_1",
        "name": f"{first} {last}".strip(),
        "email": f"{user}@example.com",
        "department": "Somewhere" if department else None,
        "department_id": department,
        "position": position,
        "salary": 1,
        "status": status,
        "start_date": start.isoformat() if start else None,
    }

    person = mapping.person_from_employee(raw)
    body = mapping.employee_body(person)

    assert (
        body["name"] == raw["name"]
        and body["email"] == raw["email"]
        and body["position"] == position
    )
    assert body.get("department_id") == department
    assert body.get("start_date") == raw["start_date"]
    assert person.active == (status == "active")


@settings(max_examples=200, deadline=None)
@given(clock_in=INSTANTS, hours=st.integers(min_value=1, max_value=30), zone_name=ZONES)
def test_attendance_to_punches_to_clock_bodies_keeps_every_mapped_field(clock_in, hours, zone_name):
    clock_out = clock_in.replace(hour=(clock_in.hour + hours) % 24) if hours < 24 else clock_in
    raw = {
        "id": "att_9",
        "employee_id": "emp_5",
        "clock_in": rendered(clock_in),
        "clock_out": rendered(clock_out),
        "lock_id": "lock_790",
    }

    punches, _ = mapping.punches_from_attendance(raw, zone_name)

    for punch in punches:
        body = mapping.clock_body(
            punch.person_id, punch.direction, punch.occurred_at, zone_name, punch.device_id
        )
        assert body == {
            "employee_id": "emp_5",
            "type": f"clock_{punch.direction}",
            "timestamp": raw[f"clock_{punch.direction}"],
            "lock_id": "lock_790",
        }


@given(st.text(max_size=40))
def test_names_split_and_join_back_with_single_spaces(name):
    first, last = mapping.split_name(name)

    assert mapping.join_name(first, last) == " ".join(name.split())
