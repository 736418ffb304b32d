"""BioStar mapping by example: each field a BioStar row carries, and what it becomes (or why the
row is skipped). The property-based file shows the mappers never crash and round-trip; this one
pins the values themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from connectors.biostar import mapping
from connectors.records import DepartmentRecord, DeviceRecord, DoorRecord, PersonRecord

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


ANN = PersonRecord(
    vendor_id="",
    code="00042",
    first_name="Ann",
    last_name="Lee",
    email="ann@example.com",
    phone="+49 30 1",
    department_id="",
    department_name="Ops",
    position_name="Guard",
)


def person(**changes):
    return replace(ANN, **changes)


# -- people -------------------------------------------------------------------------------------


def test_a_user_row_becomes_the_person_it_describes():
    row = {
        "user_id": "00042",
        "name": "Ann Mary Lee",
        "email": "ann@example.com",
        "phone": "+49 30 1",
        "user_group_id": {"id": "7", "name": "Ops"},
        "department": "Operations",
        "user_title": "Guard",
        "disabled": "false",
        "expired": "false",
        "start_datetime": "2026-03-01T23:00:00.00Z",
        "expiry_datetime": "2030-12-31T23:59:00.00Z",
    }

    got = mapping.person_from_vendor(row, "Europe/Berlin", now=NOW)

    assert got == PersonRecord(
        vendor_id="00042",
        code="00042",
        first_name="Ann",
        last_name="Mary Lee",
        email="ann@example.com",
        phone="+49 30 1",
        department_id="7",
        department_name="Operations",
        position_name="Guard",
        hire_date=date(2026, 3, 2),
        active=True,
        terminated_on=None,
        system_account=False,
    )
    assert got.raw is row  # records compare without raw: pin it apart


def test_the_v2_title_field_and_a_bare_start_of_the_vendor_default():
    row = {
        "user_id": "5",
        "name": "Bo",
        "title": "Driver",
        "start_datetime": "2001-01-01T00:00:00Z",
    }

    got = mapping.person_from_vendor(row, now=NOW)

    assert (got.first_name, got.last_name, got.position_name) == ("Bo", "", "Driver")
    assert got.hire_date is None


def test_the_vendors_expired_flag_ends_access_whatever_the_expiry_says():
    row = {"user_id": "5", "name": "Bo", "expired": "true"}

    assert mapping.person_from_vendor(row, now=NOW).active is False


@pytest.mark.parametrize(
    "row,reason",
    [
        ("5", "a user row is str, not an object"),
        ({"name": "Nobody"}, "user without user_id"),
        ({"user_id": ""}, "user without user_id"),
    ],
)
def test_a_user_row_that_cannot_be_mapped_is_skipped_with_the_reason(row, reason):
    skipped = mapping.person_from_vendor(row)
    assert skipped.reason == reason
    assert skipped.raw == (row if isinstance(row, dict) else {"row": row})


@pytest.mark.parametrize(
    "expiry",
    ["2030-12-31T23:59:59Z", "2030-12-31T23:59:00.500Z", "2037-12-31T23:59:30.250Z"],
)
def test_a_default_expiry_read_with_seconds_or_fractions_is_still_no_end(expiry):
    assert mapping.is_no_expiry(mapping.parse_utc(expiry))


def test_a_new_user_body_carries_every_field_as_biostar_wants_it():
    hired = person(department_id="7", hire_date=date(2026, 3, 2), terminated_on=date(2026, 6, 30))

    body = mapping.person_to_vendor(hired, "Europe/Berlin", creating=True)

    assert body == {
        "user_id": "00042",
        "name": "Ann Lee",
        "email": "ann@example.com",
        "phone": "+49 30 1",
        "department": "Ops",
        "user_title": "Guard",
        "user_group_id": {"id": "7"},
        "start_datetime": "2026-03-01T23:00:00.00Z",  # local midnight, in UTC
        "disabled": "false",
        "expiry_datetime": "2026-06-30T21:59:00.00Z",  # the last local minute of the day
    }


def test_a_new_user_without_group_start_or_end_gets_the_vendors_defaults():
    body = mapping.person_to_vendor(person(active=False), creating=True)

    assert body["user_group_id"] == {"id": "1"}  # "All Users"
    assert body["start_datetime"] == mapping.format_utc(mapping.NO_START)
    assert body["expiry_datetime"] == mapping.format_utc(mapping.NO_EXPIRY)
    assert body["disabled"] == "true"


def test_a_hire_date_is_local_midnight_in_utc_by_default():
    body = mapping.person_to_vendor(person(hire_date=date(2026, 3, 2)), creating=False)

    assert body["start_datetime"] == "2026-03-02T00:00:00.00Z"


def test_an_update_never_renames_disables_or_moves_a_user_to_the_root_group():
    body = mapping.person_to_vendor(person(active=False), creating=False)

    assert body == {
        "name": "Ann Lee",
        "email": "ann@example.com",
        "phone": "+49 30 1",
        "department": "Ops",
        "user_title": "Guard",
    }


def test_a_real_end_on_the_consoles_default_day_stays_a_real_end():
    body = mapping.person_to_vendor(person(terminated_on=date(2030, 12, 31)), creating=True)

    assert body["expiry_datetime"] == "2030-12-31T23:58:00.00Z"
    read_back = mapping.person_from_vendor(body, now=NOW)
    assert read_back.terminated_on == date(2030, 12, 31)


def test_access_groups_read_as_ids_from_a_list_or_an_indexed_object():
    listed = {"access_groups": [{"id": "3", "name": "Lobby"}, {"id": 4}, {"name": "no id"}]}
    indexed = {"access_groups": {"0": {"id": "3"}, "1": "9"}}

    assert mapping.access_group_ids(listed) == ["3", "4"]
    assert mapping.access_group_ids(indexed) == ["3", "9"]
    assert mapping.access_group_ids({}) == []


# -- user groups --------------------------------------------------------------------------------


def test_a_user_group_becomes_a_department_under_its_parent():
    row = {"id": 7, "name": "Ops", "parent_id": {"id": "1", "name": "All Users"}}

    got = mapping.department_from_vendor(row)

    assert got == DepartmentRecord(vendor_id="7", name="Ops", parent_id="1")
    assert got.raw is row


@pytest.mark.parametrize(
    "row,reason",
    [
        (["7"], "a user group is list, not an object"),
        ({"name": "Ops"}, "user group without id"),
    ],
)
def test_a_user_group_that_cannot_be_mapped_is_skipped_with_the_reason(row, reason):
    skipped = mapping.department_from_vendor(row)
    assert skipped.reason == reason
    assert skipped.raw == (row if isinstance(row, dict) else {"row": row})


def test_a_department_body_names_its_parent_only_when_it_has_one():
    assert mapping.department_to_vendor(DepartmentRecord("", "Ops", parent_id="1")) == {
        "name": "Ops",
        "parent_id": {"id": "1"},
    }
    assert mapping.department_to_vendor(DepartmentRecord("", "Top")) == {"name": "Top"}


# -- devices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_name,kind",
    [
        ("CoreStation 40", "controller"),
        ("CS-40", "controller"),
        ("DM-20", "controller"),
        ("Secure I/O 2 (SIO)", "controller"),
        ("OM-120", "controller"),
        ("BioStation 3", "terminal"),
        ("FaceStation F2", "terminal"),
        ("", "terminal"),
    ],
)
def test_readers_are_terminals_and_door_controllers_are_controllers(type_name, kind):
    assert mapping.device_kind(type_name) == kind


def test_a_device_row_becomes_a_device_whose_serial_is_its_id():
    row = {
        "id": 541531029,
        "name": "Lobby",
        "device_type_id": {"id": "10", "name": "CoreStation 40"},
        "status": "1",
        "firmware_version": "1.4.2",
    }

    got = mapping.device_from_vendor(row)

    assert got.raw is row
    assert got == DeviceRecord(
        vendor_id="541531029",
        name="Lobby",
        kind="controller",
        serial="541531029",
        online=True,
        firmware="1.4.2",
        raw=row,
    )


def test_a_device_type_given_as_text_a_sync_error_and_the_v2_version_field():
    row = {"id": "7", "name": "Gate", "device_type_id": "DM-20", "status": 2, "version": "2.0"}

    got = mapping.device_from_vendor(row)

    assert (got.kind, got.online, got.firmware) == ("controller", False, "2.0")


@pytest.mark.parametrize(
    "row,reason",
    [
        ([7], "a device row is list, not an object"),
        ({"name": "Gate"}, "device without id"),
    ],
)
def test_a_device_row_that_cannot_be_mapped_is_skipped_with_the_reason(row, reason):
    skipped = mapping.device_from_vendor(row)
    assert skipped.reason == reason
    assert skipped.raw == (row if isinstance(row, dict) else {"row": row})


# -- doors --------------------------------------------------------------------------------------

STATUS = {
    "door_id": {"id": "3", "name": "Front door"},
    "status": "1",
    "alarm": "1",
    "opened": "false",
    "unlocked": "false",
    "last_open_time": "1772442000",
}


def test_a_door_row_joined_with_its_status_row():
    row = {"id": "3", "name": "Front", "entry_device_id": {"id": "541531029"}}

    got = mapping.door_from_vendor(row, STATUS)

    assert got == DoorRecord(
        vendor_id="3",
        name="Front",
        device_id="541531029",
        state="locked",
        mode="normal",
        last_open_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    assert got.raw == {**row, "status": STATUS}


def test_a_door_without_entry_device_is_on_its_relays_device_and_named_by_its_status():
    row = {"id": 3, "relay_output_id": {"device_id": {"id": 77}, "relay_index": 0}}

    got = mapping.door_from_vendor(row, STATUS)

    assert (got.vendor_id, got.name, got.device_id) == ("3", "Front door", "77")


def test_a_door_without_a_status_row_is_offline_and_keeps_its_row_as_is():
    row = {"id": "3", "name": "Front", "relay_output_id": "not an object"}

    got = mapping.door_from_vendor(row)

    assert (got.state, got.mode, got.device_id, got.raw) == ("offline", "normal", None, row)


@pytest.mark.parametrize(
    "row,reason",
    [
        (3, "a door row is int, not an object"),
        ({"name": "Front"}, "door without id"),
    ],
)
def test_a_door_row_that_cannot_be_mapped_is_skipped_with_the_reason(row, reason):
    skipped = mapping.door_from_vendor(row, STATUS)
    assert skipped.reason == reason
    assert skipped.raw == (row if isinstance(row, dict) else {"row": row})


def test_status_rows_are_found_by_their_door_and_rows_without_one_are_dropped():
    rows = [STATUS, {"door_id": 4, "status": "2"}, {"status": "1"}, "junk"]

    assert mapping.status_by_door(rows) == {"3": STATUS, "4": rows[1]}


@pytest.mark.parametrize(
    "status,alarm,expected",
    [
        ("0", "2", "forced"),  # nothing set, the forced code raised
        ("0", "1", "held_open"),
        (None, "1", "held_open"),  # a row without a status mask
        ("0", None, None),
        ("0", "0", None),
        ("-1", "5", None),  # an invalid mask says nothing
        ("1", "-1", None),
        ("5", "5", "forced"),  # the forced bit of the status mask itself
        ("5", None, "forced"),  # ... also when the row carries no alarm mask
    ],
)
def test_the_alarm_comes_from_the_status_bits_and_the_alarm_code(status, alarm, expected):
    row = {key: value for key, value in (("status", status), ("alarm", alarm)) if value}

    assert mapping.door_alarm(row) == expected


def test_a_door_with_no_bits_set_is_locked_and_the_unlocked_flag_alone_unlocks_it():
    assert mapping.door_state({"status": "0"})[:2] == ("locked", "normal")
    assert mapping.door_state({"status": "1", "unlocked": "true"})[:2] == ("unlocked", "normal")


@pytest.mark.parametrize(
    "level,system",
    [({"id": "0", "name": "User"}, False), ({"id": "1", "name": "Administrator"}, True)],
)
def test_an_operator_level_sent_as_an_object_is_read_by_its_name(level, system):
    row = {"user_id": "42", "name": "A B", "operator_level": level}

    assert mapping.person_from_vendor(row, now=NOW).system_account is system


def test_without_a_read_time_an_expiry_is_compared_with_the_clock():
    row = {"user_id": "5", "name": "Bo", "expiry_datetime": "2020-01-31T22:59:00Z"}

    assert mapping.person_from_vendor(row).active is False


def test_a_door_shows_the_alarm_its_events_left_raised_and_its_mode():
    row = {"id": "3", "name": "Front"}

    assert mapping.door_from_vendor(row, STATUS, "held_open").state == "held_open"
    assert mapping.door_from_vendor(row, {**STATUS, "status": "1025"}).mode == "manual_lock"


@pytest.mark.parametrize(
    "group,expected",
    [
        ({"id": "4", "name": "Hamburg HQ"}, "Hamburg HQ"),
        ({"id": "4"}, "Door group 4"),  # a build that sends only the id
        (None, ""),
    ],
)
def test_a_door_carries_its_door_group_for_the_site_mapping(group, expected):
    row = {"id": "3", "name": "Front"} | ({"door_group_id": group} if group else {})

    assert mapping.door_from_vendor(row, STATUS).group == expected
