"""The WorkTime One connector against its simulator, over HTTP in-process (``sim.transport()``):
identity, scopes and errors, every read stream, people writes, manual clock, reports, quirks and
faults. Rate-limit budgeting has its own file, ``test_worktime_rate_limits.py``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from connectors import errors
from connectors.records import DeviceRecord, DoorRecord, LockEventRecord, PersonRecord, PunchRecord
from connectors.registry import connector_class
from connectors.worktime.connector import WorkTimeConnector
from connectors.worktime.simulator.attendance import AttendanceQuery
from tests.connectors.worktime.support import (
    BASE_URL,
    DOC_EMPLOYEE,
    DOC_LOCK,
    WORKER,
    everything,
)


def new_person(**changes) -> PersonRecord:
    values = {
        "vendor_id": "",
        "code": "E0042",
        "first_name": "Ida",
        "last_name": "Kruse",
        "email": "ida.kruse@example.com",
        "department_name": "Sales",
        "position_name": "Planner",
        "hire_date": date(2030, 4, 1),
    }
    values.update(changes)
    return PersonRecord(**values)


# -- identity, capabilities, auth ---------------------------------------------------------------
def test_registry_finds_the_connector_and_capabilities_say_what_it_does():
    cls = connector_class("worktime")

    assert cls is WorkTimeConnector
    assert cls.capabilities.reads == {"people", "punches", "doors", "devices", "lock_events"}
    assert cls.capabilities.writes == {"people", "punches"} and cls.capabilities.deletes == {
        "people"
    }
    assert not cls.capabilities.commands  # the document lists no lock commands


def test_check_reports_organization_plan_and_remaining_budget(sim, make, wire):
    sim.add_api_key("wt_free", plan="free")

    identity = make("wt_free").check()

    assert identity.vendor == "WorkTime One" and identity.server == BASE_URL
    assert identity.user == "Nordhafen Logistics GmbH"
    assert identity.details["organization_id"] == "org_482913"
    assert identity.details["plan"] == "free"
    assert identity.details["rate_limit"]["remaining"] == 99
    assert identity.details["rate_limit"]["reset"] == "2030-03-13T10:00:00+00:00"
    assert wire.paths() == ["/v1/organization"]


def test_every_request_carries_the_bearer_key(sim, wt, wire):
    wt.check()
    list(wt.read("doors"))

    key = sim.credentials()["api_key"]
    assert [r.headers["Authorization"] for r in wire.requests] == [f"Bearer {key}"] * 2


def test_an_html_page_with_200_is_a_protocol_error():
    page = httpx.MockTransport(lambda request: httpx.Response(200, html="<html>Welcome</html>"))
    connector = WorkTimeConnector("https://worktime.example/app", {"api_key": "k"}, transport=page)

    with pytest.raises(errors.ProtocolError, match="HTML page"):
        connector.check()


def test_check_without_v1_in_the_base_url_says_where_the_api_lives(make):
    with pytest.raises(errors.NotFoundError, match="should end in /v1"):
        make(base_url="http://sim.test").check()


def test_an_account_without_api_key_is_refused_before_any_request(wire):
    with pytest.raises(errors.AuthenticationError, match="API Keys"):
        WorkTimeConnector(BASE_URL, {"webhook_secret": "x"}, transport=wire)
    assert wire.calls == []


def test_a_revoked_key_is_an_authentication_error_sent_once(sim, wt, wire):
    sim.revoke_key(sim.credentials()["api_key"])

    with pytest.raises(errors.AuthenticationError, match="Settings → API Keys") as caught:
        list(wt.read("people"))

    assert caught.value.status_code == 401 and not caught.value.is_retryable
    assert wire.statuses() == [401]


def test_an_unknown_key_is_an_authentication_error(make):
    with pytest.raises(errors.AuthenticationError):
        make("wt_live_nope").check()


def test_read_only_key_reads_but_writes_name_the_read_write_scope(sim, make, wire):
    sim.add_api_key("wt_read", scope="read")
    reader = make("wt_read")

    _, people, _ = everything(reader, "people")
    with pytest.raises(errors.PermissionDeniedError, match="Read/Write") as caught:
        reader.create_person(new_person(department_id="dept_104"))

    assert len(people) == 84
    assert caught.value.status_code == 403 and caught.value.vendor_code == "forbidden"
    with pytest.raises(errors.PermissionDeniedError, match="Read/Write"):
        reader.clock(WORKER, "in", datetime(2030, 3, 13, 7, 30, tzinfo=UTC))


def test_read_write_key_updates_but_terminating_needs_full_access(sim, make):
    sim.add_api_key("wt_rw", scope="read-write")
    writer = make("wt_rw")

    updated = writer.update_person(
        DOC_EMPLOYEE, new_person(email="john.doe@example.com", department_id="dept_789")
    )
    with pytest.raises(errors.PermissionDeniedError, match="Full Access"):
        writer.terminate_person(DOC_EMPLOYEE, date(2030, 3, 31))

    assert updated.position_name == "Planner" and updated.first_name == "Ida"
    assert sim.directory.by_id(DOC_EMPLOYEE).status == "active"


# -- vendor errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"first_name": "", "last_name": ""}, "name"),
        ({"department_id": "dept_0"}, "department_id"),
    ],
)
def test_refused_fields_come_back_as_validation_errors_with_the_field(wt, changes, field):
    with pytest.raises(errors.ValidationError) as caught:
        wt.create_person(new_person(**changes))

    assert caught.value.field == field and caught.value.status_code == 400
    assert not isinstance(caught.value, errors.ConflictError)


def test_an_email_already_taken_is_a_conflict(wt):
    with pytest.raises(errors.ConflictError) as caught:
        wt.create_person(new_person(email="JOHN.DOE@example.com"))

    assert caught.value.field == "email" and "already been taken" in caught.value.message


def test_an_unknown_employee_is_not_found(wt):
    with pytest.raises(errors.NotFoundError):
        wt.update_person("emp_999999", new_person(department_id="dept_104"))
    assert wt.get_person("emp_999999") is None


# -- people -----------------------------------------------------------------------------------
def test_people_come_whole_with_soft_deleted_ones_inactive(sim, wt):
    pages, people, skipped = everything(wt, "people")

    by_id = {p.vendor_id: p for p in people}
    assert len(by_id) == len(people) == 84 and not skipped
    john = by_id[DOC_EMPLOYEE]
    assert (john.first_name, john.last_name, john.email) == ("John", "Doe", "john.doe@example.com")
    assert (john.department_id, john.department_name, john.position_name) == (
        "dept_789",
        "Marketing",
        "Senior Developer",
    )
    assert john.code == "" and john.active and john.raw["salary"] == 75000
    inactive = {p.vendor_id for p in people if not p.active}
    assert inactive == {
        e.id
        for e in (sim.directory.get(i) for i in range(sim.directory.count))
        if e.status == "inactive"
    }
    assert pages[-1].cursor == ""  # complete: the next read starts over


@pytest.mark.parametrize("listed_by_default", [True, False])
def test_soft_deleted_people_are_read_whatever_the_default_list_shows(sim, wt, listed_by_default):
    sim.quirks.soft_deleted_in_default_list = listed_by_default
    wt.terminate_person(DOC_EMPLOYEE, date(2030, 3, 13))

    _, people, _ = everything(wt, "people")

    john = next(p for p in people if p.vendor_id == DOC_EMPLOYEE)
    assert not john.active and len(people) == 84


def test_people_resume_mid_listing_re_reading_the_last_page(make, wire):
    small = make(page_size=10)
    pages = list(small.read("people"))
    seen_before = {p.vendor_id for page in pages[:3] for p in page.records}

    wire.calls.clear()
    resumed = list(small.read("people", pages[2].cursor))

    again = [p.vendor_id for page in resumed for p in page.records]
    assert wire.calls[0][3] == {"status": "active", "page": "3", "limit": "10"}
    assert set(again) | seen_before == {p.vendor_id for page in pages for p in page.records}
    assert resumed[-1].cursor == ""


@pytest.mark.parametrize("clamp", [True, False])
def test_limit_never_exceeds_100_so_both_clamp_behaviours_work(sim, make, wire, clamp):
    sim.quirks.clamp_limit = clamp

    _, people, _ = everything(make(page_size=500), "people")

    assert len(people) == 84
    assert {call[3]["limit"] for call in wire.calls} == {"100"}


# -- punches ----------------------------------------------------------------------------------
def test_attendance_records_become_in_and_out_punches(sim, wt):
    pages, punches, skipped = everything(wt, "punches")

    records = sim.attendance.all(AttendanceQuery())
    closed = [r for r in records if r.clock_out is not None]
    assert not skipped and len(punches) == len(records) + len(closed)
    by_id = {p.vendor_id: p for p in punches}
    open_record = next(r for r in records if r.clock_out is None)
    assert f"{open_record.id}:in" in by_id and f"{open_record.id}:out" not in by_id
    some = closed[0]  # the API renders whole seconds
    assert by_id[f"{some.id}:in"].occurred_at == some.clock_in.replace(microsecond=0)
    assert by_id[f"{some.id}:out"] == PunchRecord(
        f"{some.id}:out",
        some.employee_id,
        some.clock_out.replace(microsecond=0),
        "out",
        some.lock_id,
        some.lock_id,
        some.employee_id,
    )
    assert json.loads(pages[-1].cursor) == {"high": "2030-03-13"}


def test_punches_resume_with_two_days_overlap_and_see_clock_outs(sim, wt, wire, clock):
    pages, first, _ = everything(wt, "punches")
    open_ids = {p.vendor_id.split(":")[0] for p in first} - {
        p.vendor_id.split(":")[0] for p in first if p.direction == "out"
    }

    clock.advance(timedelta(hours=10))  # the day shift goes home
    wire.calls.clear()
    _, later, _ = everything(wt, "punches", pages[-1].cursor)

    assert wire.calls[0][3]["start_date"] == "2030-03-11"
    closed_now = {p.vendor_id.split(":")[0] for p in later if p.direction == "out"} & open_ids
    assert closed_now
    assert all(p.occurred_at.date() >= date(2030, 3, 10) for p in later)


def test_punches_resume_a_listing_in_progress(wt, make):
    small = make(page_size=100)
    pages = list(small.read("punches"))
    middle = json.loads(pages[5].cursor)

    resumed = list(small.read("punches", pages[5].cursor))

    assert middle["offset"] == 600 and middle["high"] is None
    everything_ids = {p.vendor_id for page in pages for p in page.records}
    after = {p.vendor_id for page in pages[6:] for p in page.records}
    assert after <= {p.vendor_id for page in resumed for p in page.records} <= everything_ids


def test_a_bare_day_is_accepted_as_a_punch_cursor_and_garbage_is_not(wt, wire):
    list(wt.read("punches", "2030-03-12"))
    assert wire.calls[0][3]["start_date"] == "2030-03-10"

    with pytest.raises(errors.ValidationError):
        list(wt.read("punches", '{"high": "yesterday"}'))


def test_without_pagination_quirk_every_list_comes_in_one_answer(sim, wt, wire):
    sim.quirks.paginate_beyond_employees = False

    punch_pages, punches, _ = everything(wt, "punches")
    door_pages, doors, _ = everything(wt, "doors")
    event_pages, events, _ = everything(wt, "lock_events")

    assert len(punch_pages) == 1 and len(punches) > 2000
    assert len(door_pages) == 1 and len(doors) == 6
    assert len(events) == sim.lock_history.count() and len(event_pages) == 6


# -- locks ------------------------------------------------------------------------------------
def test_locks_are_doors_locked_or_offline_as_the_api_says(sim, wt):
    _, doors, _ = everything(wt, "doors")

    assert all(isinstance(d, DoorRecord) for d in doors) and len(doors) == 6
    states = {d.vendor_id: d.state for d in doors}
    assert states == {
        lock.id: "locked" if lock.has_gateway else "offline" for lock in sim.locks.values()
    }
    main = next(d for d in doors if d.vendor_id == DOC_LOCK)
    assert main.device_id == DOC_LOCK and main.last_open_at == sim.locks[DOC_LOCK].last_activity_at


def test_locks_carry_their_location_as_the_door_group(sim, wt):
    _, doors, _ = everything(wt, "doors")
    assert doors and all(d.group == sim.locks[d.vendor_id].location for d in doors)


def test_locks_are_devices_of_kind_lock_with_battery_and_online(sim, wt):
    pages, devices, _ = everything(wt, "devices")

    assert all(isinstance(d, DeviceRecord) and d.kind == "lock" for d in devices)
    for device in devices:
        lock = sim.locks[device.vendor_id]
        assert device.online == lock.has_gateway and device.battery_level == lock.battery_level
        assert device.serial == lock.mac
    assert pages[-1].cursor == ""


def test_lock_events_cover_every_lock_history(sim, wt):
    pages, events, skipped = everything(wt, "lock_events")

    assert all(isinstance(e, LockEventRecord) for e in events) and not skipped
    assert len({e.vendor_id for e in events}) == sim.lock_history.count()
    failed = next(e for e in events if not e.success)
    assert failed.method and failed.occurred_at.tzinfo is UTC
    assert set(json.loads(pages[-1].cursor)["highs"]) == set(sim.locks)


def test_lock_events_uploaded_late_are_caught_by_the_overlap(sim, wt, clock):
    pages, first, _ = everything(wt, "lock_events")
    newest = max(e.occurred_at for e in first)

    clock.advance(timedelta(hours=6))
    _, later, _ = everything(wt, "lock_events", pages[-1].cursor)

    known = {e.vendor_id for e in first} | {e.vendor_id for e in later}
    all_ids = {e.id for lock in sim.locks for e in sim.lock_history.query(lock)}
    assert known == all_ids
    late = [
        e
        for e in later
        if e.vendor_id not in {f.vendor_id for f in first} and e.occurred_at < newest
    ]
    assert late  # openings a phone uploaded after newer ones were already read


def test_lock_events_resume_inside_a_lock(sim, make):
    small = make(page_size=100)
    pages = list(small.read("lock_events"))
    middle = next(p for p in pages if json.loads(p.cursor).get("lock") == "lock_790")

    resumed = list(small.read("lock_events", middle.cursor))

    locks = {e.lock_id for page in resumed for e in page.records}
    assert "lock_789" not in locks and {"lock_790", "lock_794"} <= locks
    assert resumed[-1].cursor == pages[-1].cursor


# -- people writes ----------------------------------------------------------------------------
def test_person_lifecycle_create_find_update_terminate_rehire(sim, wt):
    created = wt.create_person(new_person())

    assert (
        created.vendor_id.startswith("emp_")
        and created.department_id == sim.directory.departments[created.department_id].id
    )
    assert created.department_name == "Sales" and created.hire_date == date(2030, 4, 1)
    assert wt.find_person("IDA.KRUSE@example.com") == created
    assert wt.find_person(created.vendor_id) == created
    assert wt.find_person("E0042") is None  # WorkTime keeps no employee code
    assert wt.find_person("E0042", email="ida.kruse@example.com") == created

    moved = wt.update_person(
        created.vendor_id, new_person(department_name="IT", last_name="Kruse-Berg")
    )
    wt.terminate_person(created.vendor_id, date(2030, 5, 31), "moved away")
    gone = wt.get_person(created.vendor_id)
    back = wt.rehire_person(created.vendor_id, new_person(department_name="IT"))

    assert moved.department_name == "IT" and moved.last_name == "Kruse-Berg"
    assert not gone.active and gone.department_name == "IT"
    assert back.active and back.last_name == "Kruse"


def test_an_unknown_department_is_refused_before_anything_is_sent(wt, wire):
    with pytest.raises(errors.ValidationError, match="no department named 'Catering'") as caught:
        wt.create_person(new_person(department_name="Catering"))

    assert caught.value.field == "department_id"
    assert wire.paths("POST") == []


def test_find_person_by_code_costs_no_request(wt, wire):
    assert wt.find_person("00042") is None and wire.calls == []


# -- manual clock -----------------------------------------------------------------------------
def test_clock_in_and_out_return_punches(sim, wt):
    came = wt.clock(
        WORKER, "in", datetime(2030, 3, 12, 8, 45), lock_id=DOC_LOCK, notes="forgot the card"
    )
    went = wt.clock(WORKER, "out", datetime(2030, 3, 12, 16, 0, tzinfo=UTC))

    assert came.direction == "in" and came.occurred_at == datetime(2030, 3, 12, 7, 45, tzinfo=UTC)
    assert came.device_id == DOC_LOCK and came.person_id == WORKER
    assert went.vendor_id == came.vendor_id.replace(":in", ":out")
    assert went.occurred_at == datetime(2030, 3, 12, 16, 0, tzinfo=UTC)


def test_a_replayed_clock_returns_the_recorded_punch_and_a_real_clash_is_a_conflict(wt):
    first = wt.clock(WORKER, "in", datetime(2030, 3, 13, 7, 30, tzinfo=UTC))

    again = wt.clock(WORKER, "in", datetime(2030, 3, 13, 7, 30, tzinfo=UTC))
    with pytest.raises(errors.ConflictError) as caught:
        wt.clock(WORKER, "in", datetime(2030, 3, 13, 8, 0, tzinfo=UTC))

    assert again == first and caught.value.field == "type"


def test_clock_refuses_directions_worktime_does_not_have(wt, wire):
    with pytest.raises(errors.ValidationError) as caught:
        wt.clock(WORKER, "break_out", datetime(2030, 3, 13, 7, 30, tzinfo=UTC))

    assert caught.value.field == "direction" and wire.calls == []


# -- reports ----------------------------------------------------------------------------------
def test_payroll_report_for_one_employee_is_parsed_json(wt):
    wt.clock(WORKER, "in", datetime(2030, 3, 11, 7, 40, tzinfo=UTC))
    wt.clock(WORKER, "out", datetime(2030, 3, 11, 16, 50, tzinfo=UTC))

    report = wt.payroll_report(date(2030, 3, 11), date(2030, 3, 12), employee_id=WORKER)

    assert report["period"] == {"start_date": "2030-03-11", "end_date": "2030-03-12"}
    [row] = report["employees"]
    assert row["employee_id"] == WORKER and row["late_minutes"] == 10 and row["overtime_hours"] > 0
    assert "net_pay" in report["totals"]


def test_attendance_report_defaults_to_this_month_and_filters(wt):
    everyone = wt.attendance_report()
    sales = wt.attendance_report(date(2030, 3, 1), date(2030, 3, 12), department="dept_104")

    assert everyone["period"] == {"start_date": "2030-03-01", "end_date": "2030-03-13"}
    assert sales["employees"] and {r["department"] for r in sales["employees"]} == {"Sales"}


def test_a_report_with_dates_the_wrong_way_round_names_the_field(wt):
    with pytest.raises(errors.ValidationError) as caught:
        wt.payroll_report(date(2030, 3, 12), date(2030, 3, 1))
    assert caught.value.field == "end_date"


# -- faults -----------------------------------------------------------------------------------
def test_the_proxy_html_502_is_retried_then_succeeds(sim, wt, wire, sleeps):
    sim.vendor_faults.html_error_next = 2

    _, people, _ = everything(wt, "people")

    assert len(people) == 84 and wire.statuses()[:3] == [502, 502, 200] and len(sleeps) == 2


def test_a_lasting_proxy_html_502_ends_in_a_transient_error(sim, wt, wire):
    sim.vendor_faults.html_error_next = 50

    with pytest.raises(errors.TransientError, match="non-JSON error page"):
        wt.check()

    assert wire.statuses() == [502] * 5  # the first try and max_retries (4) more


def test_the_html_502_keeps_the_budget_the_last_real_answer_told(sim, wt):
    wt.check()
    before = wt.rate_limit_state()
    sim.vendor_faults.html_error_next = 5

    with pytest.raises(errors.TransientError):
        wt.check()

    assert wt.rate_limit_state() == before


def test_a_repeated_page_is_a_protocol_error(sim, make):
    sim.vendor_faults.repeat_page_next = 1

    with pytest.raises(errors.ProtocolError, match="same page twice"):
        list(make(page_size=10).read("people"))


def test_a_503_burst_is_retried_then_succeeds(sim, wt, wire, sleeps):
    sim.faults.error_burst = 3

    identity = wt.check()

    assert identity.user and wire.statuses() == [503, 503, 503, 200] and len(sleeps) == 3


def test_a_long_503_burst_ends_in_a_transient_error(sim, wt, wire):
    sim.faults.error_burst = 20

    with pytest.raises(errors.TransientError) as caught:
        wt.check()

    assert caught.value.is_retryable and caught.value.status_code == 503 and len(wire.calls) == 5


def test_timeouts_and_dropped_connections_are_retried(sim, wt, wire):
    sim.faults.timeouts = 1
    sim.faults.drops = 1

    _, doors, _ = everything(wt, "doors")

    assert len(doors) == 6
    assert wire.statuses() == ["ReadTimeout", "RemoteProtocolError", 200]


def test_lasting_timeouts_end_in_a_transient_error(sim, wt):
    sim.faults.timeouts = 10

    with pytest.raises(errors.TransientError, match="did not answer in time"):
        wt.check()


def test_latency_only_slows_answers(sim, wt):
    sim.faults.latency = 0.001

    assert len(everything(wt, "devices")[1]) == 6
