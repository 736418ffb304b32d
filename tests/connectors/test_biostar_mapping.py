"""BioStar mapping, property-based: the mappers never crash on BioStar's type variations
(strings vs integers, JSON vs string booleans, indexed-object arrays, refs as ids or objects,
missing keys, nulls), and vendor → canonical → vendor keeps every mapped field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.biostar import mapping
from connectors.biostar.event_mapping import (
    event_from_vendor,
    event_kind,
    event_to_vendor,
    open_alarms,
    punch_from_event,
)
from connectors.biostar.scalars import as_list, format_utc, parse_utc, to_int, truthy
from connectors.records import (
    DOOR_EVENT_KINDS,
    DOOR_MODES,
    DOOR_STATES,
    PUNCH_DIRECTIONS,
    DepartmentRecord,
    DeviceRecord,
    DoorEventRecord,
    DoorRecord,
    PersonRecord,
    SkippedRecord,
)

ZONES = st.sampled_from(
    ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Adelaide"]
)
ids = st.integers(min_value=0, max_value=2**40)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
specials = st.sampled_from(["true", "false", "1", "0", "", "0x1303", "2030-12-31T23:59:00.00Z"])
scalar = st.one_of(
    st.none(), st.booleans(), ids, st.floats(allow_nan=True), words, ids.map(str), specials
)


def indexed(items):
    return {str(i): item for i, item in enumerate(items)}


def ref(inner=scalar):
    """A reference as BioStar sends it: bare, or an object with id (and maybe name)."""
    return st.one_of(
        inner,
        st.fixed_dictionaries({"id": inner}, optional={"name": words}),
        st.fixed_dictionaries({"user_id": inner, "code": inner}),
    )


loose = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(words, inner, max_size=3)),
    max_leaves=6,
)


def rows(keys: dict) -> st.SearchStrategy:
    """Objects with any subset of ``keys`` (each a strategy), plus an unknown extra key."""
    return st.fixed_dictionaries({}, optional={**keys, "extra field": loose})


user_rows = rows(
    {
        "user_id": scalar,
        "name": scalar,
        "email": scalar,
        "phone": scalar,
        "department": scalar,
        "user_title": scalar,
        "title": scalar,
        "user_group_id": ref(),
        "disabled": scalar,
        "expired": scalar,
        "start_datetime": scalar,
        "expiry_datetime": scalar,
        "last_modified": scalar,
        "access_groups": st.one_of(st.lists(ref()), st.lists(ref()).map(indexed), scalar),
    }
)
group_rows = rows({"id": scalar, "name": scalar, "parent_id": ref(), "depth": scalar})
device_rows = rows(
    {"id": scalar, "name": scalar, "device_type_id": ref(), "status": scalar, "version": scalar}
)
door_rows = rows(
    {
        "id": scalar,
        "name": scalar,
        "entry_device_id": ref(),
        "relay_output_id": st.one_of(scalar, st.fixed_dictionaries({"device_id": ref()})),
    }
)
status_rows = rows(
    {
        "door_id": ref(),
        "opened": scalar,
        "unlocked": scalar,
        "status": scalar,
        "alarm": scalar,
        "last_open_time": scalar,
    }
)
event_rows = rows(
    {
        "id": scalar,
        "datetime": scalar,
        "server_datetime": scalar,
        "device_id": ref(),
        "door_id": ref(),
        "user_id": ref(),
        "event_type_id": ref(),
        "tna_key": scalar,
        "timezone": loose,
    }
)
anything = st.one_of(loose, st.lists(loose, max_size=2))


# -- never crash ---------------------------------------------------------------------------------
@settings(max_examples=300)
@given(row=st.one_of(user_rows, anything), time_zone=ZONES)
def test_person_mapping_never_crashes(row, time_zone):
    record = mapping.person_from_vendor(row, time_zone)

    assert isinstance(record, (PersonRecord, SkippedRecord))
    if isinstance(record, PersonRecord):
        assert record.vendor_id == record.code != ""
        assert isinstance(mapping.person_to_vendor(record, time_zone, creating=True), dict)
        assert all(isinstance(g, str) for g in mapping.access_group_ids(row))


@settings(max_examples=200)
@given(row=st.one_of(group_rows, device_rows, anything))
def test_department_and_device_mapping_never_crash(row):
    assert isinstance(mapping.department_from_vendor(row), (DepartmentRecord, SkippedRecord))
    device = mapping.device_from_vendor(row)
    assert isinstance(device, (DeviceRecord, SkippedRecord))


@settings(max_examples=300)
@given(row=st.one_of(door_rows, anything), status=st.one_of(st.none(), status_rows))
def test_door_mapping_never_crashes_and_states_stay_canonical(row, status):
    record = mapping.door_from_vendor(row, status)

    assert isinstance(record, (DoorRecord, SkippedRecord))
    if isinstance(record, DoorRecord):
        assert record.state in DOOR_STATES and record.mode in DOOR_MODES
        assert record.last_open_at is None or record.last_open_at.tzinfo is UTC
    assert isinstance(mapping.status_by_door([status, row]), dict)


@settings(max_examples=300)
@given(row=st.one_of(event_rows, anything), descriptions=st.dictionaries(ids, words, max_size=3))
def test_event_mapping_never_crashes(row, descriptions):
    record = event_from_vendor(row, descriptions)

    assert isinstance(record, (DoorEventRecord, SkippedRecord))
    if isinstance(record, DoorEventRecord):
        assert record.kind in DOOR_EVENT_KINDS and record.direction in PUNCH_DIRECTIONS
        assert record.occurred_at.tzinfo is UTC and record.vendor_id.count("|") >= 2
        punch = punch_from_event(record)
        assert punch is None or punch.direction != "unknown"


@given(value=scalar)
def test_scalar_readers_never_crash(value):
    truthy(value)
    to_int(value)
    parse_utc(value)
    as_list(value)


# -- round trips --------------------------------------------------------------------------------
plain = st.text(st.characters(codec="ascii", categories=("L", "N", "P")), min_size=1, max_size=12)
names = st.lists(plain, min_size=1, max_size=4).map(" ".join)
days = st.dates(min_value=date(2002, 1, 1), max_value=date(2036, 12, 31))
BEFORE_ANY_DAY = datetime(2001, 6, 1, tzinfo=UTC)  # read time: every drawn expiry is ahead


@st.composite
def vendor_users(draw):
    time_zone = draw(ZONES)
    row = {
        "user_id": draw(st.one_of(ids.map(str), plain)),
        "name": draw(names),
        "email": draw(st.one_of(st.just(""), plain.map(lambda w: f"{w}@example.com"))),
        "phone": draw(st.one_of(st.just(""), ids.map(str))),
        "department": draw(st.one_of(st.just(""), names)),
        "user_title": draw(st.one_of(st.just(""), names)),
        "user_group_id": draw(
            st.one_of(  # v1 strings or v2 integers
                ids.map(lambda i: {"id": str(i), "name": "G"}), ids.map(lambda i: {"id": i})
            )
        ),
        "disabled": draw(st.sampled_from(["true", "false", True, False])),
        "expired": "false",
        "start_datetime": format_utc(mapping.NO_START),
        "expiry_datetime": format_utc(mapping.NO_EXPIRY),
    }
    hire = draw(st.one_of(st.none(), days))
    if hire:
        row["start_datetime"] = format_utc(mapping.local_midnight(hire, time_zone))
    end = draw(st.one_of(st.none(), days))
    if end and not mapping.is_no_expiry(mapping.local_end_of_day(end, time_zone)):
        row["expiry_datetime"] = format_utc(mapping.local_end_of_day(end, time_zone))
    return row, time_zone


@settings(max_examples=300)
@given(case=vendor_users())
def test_user_to_person_and_back_keeps_every_mapped_field(case):
    row, time_zone = case

    person = mapping.person_from_vendor(row, time_zone, now=BEFORE_ANY_DAY)
    back = mapping.person_to_vendor(person, time_zone, creating=True)

    for key in (
        "user_id",
        "name",
        "email",
        "phone",
        "department",
        "user_title",
        "start_datetime",
        "expiry_datetime",
    ):
        assert back[key] == row[key], key
    assert back["user_group_id"]["id"] == str(row["user_group_id"]["id"])
    assert truthy(back["disabled"]) == truthy(row["disabled"])


@st.composite
def people(draw):
    first, last = draw(plain), draw(st.one_of(st.just(""), names))
    return PersonRecord(
        vendor_id="",
        # user 1 is the vendor's administrator: a system account, which no round trip can undo
        code=draw(plain.filter(lambda code: code != mapping.ADMIN_USER_ID)),
        first_name=first,
        last_name=last,
        email=draw(st.one_of(st.just(""), plain)),
        phone=draw(st.one_of(st.just(""), plain)),
        department_id=draw(ids.map(str)),
        department_name=draw(st.one_of(st.just(""), names)),
        position_name=draw(st.one_of(st.just(""), names)),
        hire_date=draw(st.one_of(st.none(), days)),
        active=draw(st.booleans()),
        terminated_on=draw(st.one_of(st.none(), days)),
    )


@settings(max_examples=300)
@given(person=people(), time_zone=ZONES)
def test_person_to_user_and_back_is_the_same_person(person, time_zone):
    row = mapping.person_to_vendor(person, time_zone, creating=True)

    again = mapping.person_from_vendor(row, time_zone, now=BEFORE_ANY_DAY)

    assert again == PersonRecord(**{**person.__dict__, "vendor_id": person.code, "raw": row})


@st.composite
def vendor_events(draw):
    moment = draw(
        st.datetimes(
            min_value=datetime(2015, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
        )
    )
    moment = moment.replace(microsecond=draw(st.integers(0, 999)) * 1000)
    row = {
        "id": str(draw(st.integers(1, 10**6))),
        "datetime": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "server_datetime": (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.00Z"),
        "event_type_id": draw(
            st.sampled_from([{"code": "4867"}, {"code": 6400}, "21504", 4102, {"code": "22784"}])
        ),
        "tna_key": draw(st.sampled_from(["0", "1", "2", "3", "4", 1, 2])),
    }
    for key, inner in (("device_id", "id"), ("door_id", "id"), ("user_id", "user_id")):
        if draw(st.booleans()):
            row[key] = {inner: draw(st.one_of(ids.map(str), ids))}
    return row


@settings(max_examples=300)
@given(row=vendor_events())
def test_event_to_canonical_and_back_keeps_every_mapped_field(row):
    event = event_from_vendor(row)

    again = event_from_vendor(event_to_vendor(event))

    assert again == event
    assert event.occurred_at == parse_utc(row["datetime"])  # never server_datetime
    assert event.vendor_id == f"{row['datetime']}|{event.device_id or ''}|{row['id']}"


def test_an_event_with_only_server_datetime_is_local_time_in_the_accounts_zone():
    row = {"id": "7", "server_datetime": "2026-03-02T10:00:00.00Z", "event_type_id": "4102"}

    event = event_from_vendor(row, time_zone="Europe/Berlin")

    assert event.occurred_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # CET is UTC+1
    assert event.vendor_id == "2026-03-02T09:00:00.000Z||7"
    summer = event_from_vendor(
        {**row, "server_datetime": "2026-07-01T10:00:00Z"}, None, "Europe/Berlin"
    )
    assert summer.occurred_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("user", [None, {"user_id": "0"}, {"user_id": 0}, "0", {"user_id": ""}])
def test_an_event_of_nobody_has_no_person_and_is_never_a_punch(user):
    row = {
        "id": "1",
        "datetime": "2026-03-02T09:00:00.000Z",
        "event_type_id": "4102",
        "tna_key": "1",
    }
    if user is not None:
        row["user_id"] = user

    event = event_from_vendor(row)

    assert isinstance(event, DoorEventRecord) and event.person_id is None
    assert punch_from_event(event) is None


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "expiry",
    [
        "2030-12-31T23:59:00.00Z",
        "2037-12-31T23:59:00",
        "2037-12-31T23:59:59.000Z",
        "2030-12-31T23:59:00Z",
    ],
)
def test_the_consoles_default_expiries_are_no_termination(expiry):
    row = {"user_id": "5", "name": "A B", "disabled": "false", "expiry_datetime": expiry}

    person = mapping.person_from_vendor(row, "Europe/Berlin", now=NOW)

    assert (person.active, person.terminated_on) == (True, None)


def test_gone_means_disabled_or_an_expiry_in_the_past():
    row = {"user_id": "5", "name": "A B", "disabled": "false"}

    def read(**changes):
        person = mapping.person_from_vendor({**row, **changes}, "Europe/Berlin", now=NOW)
        return person.active, person.terminated_on

    assert read(expiry_datetime="2026-06-30T21:59:00.00Z") == (True, date(2026, 6, 30))
    assert read(expiry_datetime="2026-03-01T22:59:00.00Z") == (False, date(2026, 3, 1))
    assert read(expiry_datetime="2026-03-02T09:00:00.00Z") == (False, date(2026, 3, 2))
    assert read(disabled="true", expiry_datetime="2030-12-31T23:59:00.00Z") == (False, None)
    assert read(disabled="true", expiry_datetime="2026-03-02T08:59:00.00Z") == (
        False,
        date(2026, 3, 2),
    )


@pytest.mark.parametrize(
    ("changes", "own_login", "system"),
    [
        ({"user_id": "1"}, "", True),
        ({"login_id": "workgate"}, "workgate", True),
        ({"login_id": "desk"}, "workgate", False),
        ({"permission": {"id": "1", "name": "Administrator"}}, "", True),
        ({"permission": {"id": "2", "name": "User Operator"}}, "", True),
        ({"permission": {"id": 17}}, "", True),  # a custom account level
        ({"permission": {"id": "255", "name": "User"}}, "", False),
        ({"permission": {"id": "100000"}}, "", False),
        ({"operator_level": "Administrator"}, "", True),
        ({"operator_level": "User"}, "", False),
        ({}, "", False),
    ],
)
def test_system_accounts(changes, own_login, system):
    row = {"user_id": "42", "name": "A B", **changes}

    person = mapping.person_from_vendor(row, own_login_id=own_login)

    assert person.system_account is system


@given(items=st.lists(loose, max_size=5))
def test_indexed_object_arrays_read_back_as_the_list(items):
    assert as_list(indexed(items)) == items and as_list(items) == items


def test_event_code_ranges():
    assert [event_kind(c) for c in (4102, 4867, 0x1501, 4088)] == ["granted"] * 4
    assert [event_kind(c) for c in (0x1100, 5123, 6400)] == ["denied"] * 3
    assert [event_kind(c) for c in (21504, 22016)] == ["forced_open"] * 2
    assert [event_kind(c) for c in (21760, 22528)] == ["held_open"] * 2
    assert [event_kind(c) for c in (22272, 22784)] == ["alarm_cleared"] * 2
    assert event_kind(0x5000) == "state_change" and event_kind(None) == event_kind(999) == "other"


def test_door_state_precedence_and_modes():
    base = {"opened": "false", "unlocked": "false", "status": "1", "alarm": "1"}

    def state(status: int, alarm: int | None = None, event_alarm=None, **changes):
        row = {**base, "status": str(status), "alarm": str(status if alarm is None else alarm)}
        return mapping.door_state({**row, **changes}, event_alarm)[:2]

    assert state(1) == ("locked", "normal")
    assert state(2048, unlocked="true") == ("unlocked", "manual_unlock")
    assert state(1024) == ("locked", "manual_lock")
    assert state(2, opened=True, unlocked=True) == ("open", "normal")
    assert state(2048, 2049, opened="true", unlocked="true") == ("held_open", "manual_unlock")
    assert state(1 | 8, 1 | 8, opened="true") == ("held_open", "normal")  # code 1 hides in bit 1
    assert state(1 | 4, 1 | 4 | 2, opened="true") == ("forced", "normal")
    assert state(2, 2 | 2 | 1) == ("held_open", "normal")  # only the held code is new
    assert state(1, 3) == ("forced", "normal")
    assert state(32 | 1, 32 | 1 | 2) == ("offline", "normal")
    assert state(-1) == ("offline", "normal")
    assert state(256) == ("locked", "lockdown")
    assert state(512, unlocked="true") == ("unlocked", "lockdown")
    assert state(512 | 2048) == ("unlocked", "lockdown")  # the emergency outranks the operator
    assert state(64) == ("locked", "scheduled_lock")
    assert state(128) == ("unlocked", "scheduled_unlock")
    assert state(16 | 1) == ("locked", "normal")  # anti-passback failed is no state of the door
    assert mapping.door_state(None) == ("offline", "normal", None)


def test_an_alarm_the_events_left_raised_shows_when_the_status_does_not():
    row = {"opened": "false", "unlocked": "false", "status": "1", "alarm": "1"}

    assert mapping.door_state(row, "held_open")[:2] == ("held_open", "normal")
    assert mapping.door_state({**row, "status": "5", "alarm": "7"}, "held_open")[0] == "forced"
    assert mapping.door_state({**row, "status": "33", "alarm": "33"}, "forced")[0] == "offline"


def test_open_alarms_follow_each_doors_newest_raise_or_clear():
    def event(door_id, code, second):
        return DoorEventRecord(
            vendor_id=f"{door_id}-{code}-{second}",
            occurred_at=datetime(2026, 3, 2, 9, 0, second, tzinfo=UTC),
            kind=event_kind(code),
            door_id=door_id,
            code=str(code),
        )

    events = [
        event("1", 0x5400, 1), event("1", 0x5600, 1),  # door 1 forced...
        event("2", 0x5800, 2), event("2", 0x5900, 3),  # door 2 held, then cleared
        event("3", 0x5600, 4), event("3", 0x5800, 5), event("3", 0x5700, 6),  # forced cleared
        event("4", 0x5500, 7), event("4", 4102, 8),  # held, then someone passes: still held
        event(None, 0x5600, 9),
    ]  # fmt: skip

    assert open_alarms(events) == {"1": "forced", "3": "held_open", "4": "held_open"}
