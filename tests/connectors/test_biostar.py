"""The BioStar X connector over HTTP against its simulator, in-process: the session, every read
and write, door commands, every BioStarQuirks switch and the kit's and the vendor's faults."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from werkzeug.http import http_date

from connectors import errors
from connectors.biostar.connector import BioStarConnector
from connectors.biostar.mapping import access_group_ids
from connectors.biostar.scalars import format_query_utc
from connectors.biostar.simulator import BioStarQuirks, BioStarSimulator
from connectors.biostar.simulator import eventlog as ev
from connectors.biostar.simulator.seed import seed_sites
from connectors.client import ClientOptions
from connectors.records import DOOR_MODES, DOOR_STATES, PersonRecord, PunchRecord
from connectors.registry import connector_class
from connectors.simkit.clock import SimClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
ZONE = "Europe/Berlin"


@pytest.fixture
def clock():
    return SimClock(START, frozen=True)


@pytest.fixture
def sim(clock):
    return BioStarSimulator.demo(clock=clock)


@pytest.fixture
def bare(clock):
    """Only the Administrator and the demo sites' doors and controllers: no activity."""
    sim = BioStarSimulator(clock=clock)
    seed_sites(sim, sim.company)
    return sim


@pytest.fixture
def sleeps():
    return []


def connect(sim, sleeps=None, *, page_size=100, max_retries=3, **credentials) -> BioStarConnector:
    options = ClientOptions(page_size=page_size, time_zone=ZONE, max_retries=max_retries)
    return BioStarConnector(
        "http://biostar.test",
        {**sim.credentials(), **credentials},
        options,
        transport=sim.transport(),
        sleep=(sleeps if sleeps is not None else []).append,
        now=sim.clock.now,
    )


@pytest.fixture
def conn(sim, sleeps):
    return connect(sim, sleeps)


def logins(sim) -> int:
    return sum(1 for method, path in sim.request_log if path == "/api/login")


def records(pages) -> list:
    return [record for page in pages for record in page.records]


def scripted(*answers):
    """A transport answering from a script (for what the simulator never says)."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/login":
            return httpx.Response(
                200,
                json={"User": {"user_id": "1"}, "Response": {"code": "0"}},
                headers={"bs-session-id": "s1"},
            )
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return httpx.MockTransport(handler)


def scripted_connector(*answers) -> BioStarConnector:
    credentials = {"login_id": "a", "password": "b"}
    options = ClientOptions(max_retries=2)
    return BioStarConnector(
        "http://biostar.test", credentials, options, transport=scripted(*answers), sleep=[].append
    )


# -- registry, check and the session -------------------------------------------------------------
def test_registry_finds_the_connector_and_it_declares_its_capabilities():
    cls = connector_class("biostar")

    assert cls is BioStarConnector
    assert cls.capabilities.reads == {
        "people",
        "departments",
        "access_groups",
        "devices",
        "doors",
        "door_state",
        "door_events",
        "punches",
    }
    assert cls.capabilities.can("writes", "people") and cls.capabilities.can("deletes", "people")
    assert cls.capabilities.commands == {"open", "unlock", "lock", "release", "clear_alarm"}


def test_missing_credentials_are_refused_before_any_request(sim):
    with pytest.raises(errors.AuthenticationError, match="password"):
        BioStarConnector("http://biostar.test", {"login_id": "admin"}, transport=sim.transport())

    assert len(sim.request_log) == 0


def test_check_logs_in_and_reports_the_operator(conn, sim):
    identity = conn.check()

    assert identity.vendor == "Suprema BioStar X" and identity.server == "http://biostar.test"
    assert identity.user == "admin"
    assert identity.details == {
        "user_id": "1",
        "name": "Administrator",
        "permission": "Administrator",
        "server_time": http_date(sim.clock.now()),  # the login answer's Date header
    }


def test_check_with_a_wrong_password_is_an_authentication_error_never_retried(sim, sleeps):
    conn = connect(sim, sleeps, password="wrong")

    with pytest.raises(errors.AuthenticationError) as caught:
        conn.check()

    assert caught.value.vendor_code == "11" and "check the login ID" in caught.value.message
    assert logins(sim) == 1 and sleeps == []


def test_a_refused_login_inside_a_read_is_not_retried_either(sim, sleeps):
    conn = connect(sim, sleeps, password="wrong")

    with pytest.raises(errors.AuthenticationError):
        list(conn.read("doors"))

    assert (
        logins(sim) == 1
        and sleeps == []
        and not conn.client.is_auth_expired(httpx.Response(401, json={"Response": {"code": "11"}}))
    )


def test_one_session_serves_every_call_and_travels_as_a_request_header(sim, conn):
    for stream in ("people", "departments", "devices", "doors", "door_state"):
        list(conn.read(stream))
    conn.find_person("00002")

    assert logins(sim) == 1
    assert len(conn.client.session_id) == 32 and len(sim.sessions) == 1


def test_no_request_ends_in_a_trailing_slash(sim, conn):
    list(conn.read("people"))
    conn.client.call("GET", "/api/doors/")  # even when a caller writes one

    assert all(not path.endswith("/") for _, path in sim.request_log)


def test_an_ended_session_means_one_login_and_the_call_repeated(sim, conn):
    conn.check()
    sim.end_all_sessions()

    doors = records(conn.read("doors"))

    assert len(doors) == 10 and logins(sim) == 2


def test_a_session_killed_mid_paging_logs_in_once_and_paging_continues(sim, sleeps):
    conn = connect(sim, sleeps, page_size=50)
    sim.end_sessions_after(3)  # login is not counted: pages 1-3 pass, page 4 finds it ended

    people = records(conn.read("people"))

    assert logins(sim) == 2 and sleeps == []
    assert sorted(p.vendor_id for p in people) == sorted(sim.users)
    assert sim.request_log.count(("GET", "/api/users")) == 7  # 6 pages, one of them twice


def test_login_required_again_right_after_a_fresh_login_is_an_authentication_error():
    body = {"Response": {"code": "10", "message": "Login required."}}
    login_required = httpx.Response(401, json=body)
    conn = scripted_connector(login_required)

    with pytest.raises(errors.AuthenticationError, match="Login required"):
        list(conn.read("devices"))

    assert conn.client.logins == 2


def test_close_logs_out(sim, conn):
    conn.check()

    conn.close()

    assert ("POST", "/api/logout") in sim.request_log and len(sim.sessions) == 0


# -- reads: people, departments, devices ---------------------------------------------------------
def test_people_full_read_pages_every_user_and_ends_with_the_change_counter(sim):
    conn = connect(sim, page_size=60)

    pages = list(conn.read("people"))

    people = records(pages)
    assert sorted(p.vendor_id for p in people) == sorted(sim.users)
    assert [page.cursor for page in pages[:-1]] == [None] * (len(pages) - 1)
    assert pages[-1].cursor == str(max(u.last_modified for u in sim.users.values()))
    vera = next(p for p in people if p.email == "vera.jansen@nordhafen.example")
    user = sim.users[vera.code]
    assert (vera.first_name, vera.last_name) == tuple(user.name.split(" ", 1))
    assert vera.department_name == user.department and vera.position_name == user.user_title
    assert vera.department_id == str(user.user_group_id) and vera.code.startswith("0")


def test_people_incremental_read_returns_changes_since_the_cursor_with_overlap(sim, conn):
    cursor = list(conn.read("people"))[-1].cursor
    renamed = PersonRecord("00002", "00002", first_name="Renamed", last_name="P", department_id="1")
    conn.update_person("00002", renamed)

    pages = list(conn.read("people", cursor))

    changed = records(pages)
    assert "00002" in {p.vendor_id for p in changed}
    assert len(changed) <= conn.people_lookback + 2  # the overlap, not a full read
    assert int(pages[-1].cursor) > int(cursor)


def test_people_cursor_that_is_not_a_number_is_refused(conn):
    with pytest.raises(errors.ValidationError):
        list(conn.read("people", "yesterday"))


def test_people_map_disabled_and_expiring_users(sim, conn):
    people = {p.vendor_id: p for p in records(conn.read("people"))}

    disabled = next(u for u in sim.users.values() if u.disabled)
    contractor = next(u for u in sim.users.values() if u.expiry_datetime.year < 2030)
    assert people[disabled.user_id].active is False
    assert people[contractor.user_id].active is True
    assert (
        people[contractor.user_id].terminated_on
        == contractor.expiry_datetime.astimezone(ZoneInfo(ZONE)).date()
    )  # a local date: 22:59 UTC is the next day in Berlin


def test_active_users_with_the_consoles_default_expiry_have_no_termination(sim, conn):
    sim.users["00002"].expiry_datetime = datetime(2037, 12, 31, 23, 59, tzinfo=UTC)  # older build

    people = {p.vendor_id: p for p in records(conn.read("people"))}

    assert sim.users["00001"].expiry_datetime == datetime(2030, 12, 31, 23, 59, tzinfo=UTC)
    assert (people["00001"].active, people["00001"].terminated_on) == (True, None)
    assert (people["00002"].active, people["00002"].terminated_on) == (True, None)
    defaulted = [u.user_id for u in sim.users.values() if u.expiry_datetime.year >= 2030]
    assert all(people[user_id].terminated_on is None for user_id in defaulted)


def test_an_expiry_that_has_passed_ends_access_without_disabled(sim, clock, conn):
    contractor = next(u for u in sim.users.values() if u.expiry_datetime.year < 2030)
    clock.advance((contractor.expiry_datetime - clock.now()).total_seconds() + 60)

    person = conn.find_person(contractor.user_id)

    assert contractor.disabled is False
    assert person.active is False
    assert person.terminated_on == contractor.expiry_datetime.astimezone(ZoneInfo(ZONE)).date()


# -- system accounts ----------------------------------------------------------------------------
def test_the_administrator_the_own_login_and_operators_are_system_accounts(sim, conn):
    operator = sim.users["00002"]
    operator.permission_id, operator.login_id = 2, "desk"  # a "User Operator"
    sim.users["00004"].login_id = "workgate"

    people = {p.vendor_id: p for p in records(connect(sim, login_id="admin").read("people"))}
    own = {p.vendor_id: p for p in records(connect(sim).read("people"))}

    assert people["1"].system_account and people["1"].first_name == "Administrator"
    assert people["00002"].system_account
    assert not people["00004"].system_account
    assert sum(p.system_account for p in people.values()) == 2
    assert own["1"].system_account
    assert conn.find_person("1").system_account


def test_the_login_workgate_uses_is_a_system_account(sim):
    sim.users["00004"].login_id, sim.users["00004"].password = "workgate", "pw-3"
    sim.users["00004"].permission_id = 255  # a plain "User" level that may still log in

    people = {
        p.vendor_id: p
        for p in records(connect(sim, login_id="workgate", password="pw-3").read("people"))
    }

    assert people["00004"].system_account
    assert not people["00005"].system_account


@pytest.mark.parametrize(
    "write",
    [
        lambda conn, uid: conn.update_person(uid, new_person(code=uid)),
        lambda conn, uid: conn.terminate_person(uid, date(2026, 3, 2)),
        lambda conn, uid: conn.rehire_person(uid, new_person(code=uid)),
        lambda conn, uid: conn.set_access_groups(uid, []),
        lambda conn, uid: conn.delete_people([uid]),
        lambda conn, uid: conn.delete_people(["00004", uid, *[f"{n:05d}" for n in range(5, 40)]]),
    ],
    ids=["update", "terminate", "rehire", "access-groups", "delete", "delete-batch"],
)
@pytest.mark.parametrize("target", ["1", "00002"], ids=["administrator", "operator"])
def test_people_writes_to_a_system_account_are_refused_and_change_nothing(sim, write, target):
    sim.users["00002"].permission_id = 3  # a "Monitoring Operator"
    conn = connect(sim)
    before = {uid: (u.name, u.disabled, u.expiry_datetime) for uid, u in sim.users.items()}

    with pytest.raises(errors.SystemAccountError) as refused:
        write(conn, target)

    assert refused.value.is_retryable is False
    assert isinstance(refused.value, errors.ValidationError)
    assert f"BioStar user {target} is" in refused.value.message
    assert "never changes it" in refused.value.message
    assert {uid: (u.name, u.disabled, u.expiry_datetime) for uid, u in sim.users.items()} == before
    assert not [m for m, path in sim.request_log if m in ("PUT", "DELETE")]


def test_people_writes_to_plain_users_still_go_through(sim, conn):
    conn.terminate_person("00002", date(2026, 3, 2))
    conn.delete_people(["00004"])

    assert sim.users["00002"].disabled is True and "00004" not in sim.users


def test_login_with_the_wrapped_body_on_a_server_that_refuses_the_flat_one(clock):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(wrapped_login_only=True))
    conn = connect(sim)

    identity = conn.check()
    people = records(conn.read("people"))

    assert identity.user == "admin" and people


def test_departments_are_the_user_group_tree(sim, conn):
    departments = records(conn.read("departments"))

    by_name = {d.name: d for d in departments}
    assert set(by_name) == {g.name for g in sim.user_groups.values()}
    assert by_name["All Users"].parent_id is None and by_name["IT"].parent_id == "1"


@pytest.mark.parametrize("integers", [True, False], ids=["v2-integers", "v2-strings"])
def test_devices_read_the_same_whether_v2_sends_integers_or_strings(clock, integers):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(v2_integers=integers))

    devices = records(connect(sim).read("devices"))

    assert [d.vendor_id for d in devices] == [str(i) for i in sorted(sim.devices)]
    assert all(d.kind == "terminal" and d.online and d.serial == d.vendor_id for d in devices)
    assert devices[0].raw["id"] == str(devices[0].vendor_id)  # GET /api/devices: v1 strings


def test_devices_are_listed_by_get_on_a_build_without_the_v2_search(clock):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(no_device_search=True))

    devices = records(connect(sim).read("devices"))

    assert [d.vendor_id for d in devices] == [str(i) for i in sorted(sim.devices)]
    assert ("GET", "/api/devices") in sim.request_log


def test_a_disconnected_device_reads_offline_and_its_door_too(bare):
    door = bare.doors[2]
    bare.devices[door.device_id].status = 0
    conn = connect(bare)

    device = next(d for d in records(conn.read("devices")) if d.vendor_id == str(door.device_id))
    state = next(d for d in records(conn.read("door_state")) if d.vendor_id == "2")

    assert device.online is False and state.state == "offline"


# -- reads: doors and their state ------------------------------------------------------------------
def door(conn, door_id: int):
    return next(d for d in records(conn.read("door_state")) if d.vendor_id == str(door_id))


def test_doors_page_and_carry_their_controller(bare):
    conn = connect(bare, page_size=4)

    doors = records(conn.read("doors"))

    assert [d.name for d in doors] == [bare.doors[i].name for i in sorted(bare.doors)]
    assert all(d.device_id == str(bare.doors[int(d.vendor_id)].device_id) for d in doors)
    assert {d.state for d in doors} == {"locked"} and {d.mode for d in doors} == {"normal"}


def test_door_commands_drive_the_door_state(bare, clock):
    conn = connect(bare)

    answer = conn.command_door("1", "open")
    opened = door(conn, 1)
    clock.advance(6)
    relocked = door(conn, 1)
    conn.command_door("1", "unlock")
    unlocked = door(conn, 1)
    conn.command_door("1", "lock")
    locked = door(conn, 1)
    refused = pytest.raises(errors.ValidationError, conn.command_door, "1", "open")
    conn.command_door("1", "release")
    released = door(conn, 1)

    assert answer["DeviceResponse"]["rows"] == [{"id": str(bare.doors[1].device_id), "code": "0"}]
    assert answer["Response"]["code"] == "0"
    assert (opened.state, opened.mode) == ("unlocked", "normal")
    assert relocked.state == "locked"
    assert (unlocked.state, unlocked.mode) == ("unlocked", "manual_unlock")
    assert (locked.state, locked.mode) == ("locked", "manual_lock")
    assert "release them before opening" in refused.value.message
    assert (released.state, released.mode) == ("locked", "normal")
    assert ("POST", "/api/doors/open") in bare.request_log
    assert not any("/api/doors/1/" in path for _, path in bare.request_log)


def test_forced_open_then_clear_alarm(bare, clock):
    conn = connect(bare)
    now_ms = int(clock.now().timestamp() * 1000)
    bare.force_open(now_ms, bare.doors[3])

    forced = door(conn, 3)
    conn.command_door("3", "clear_alarm")
    clock.advance(20)
    cleared = door(conn, 3)

    assert forced.state == "forced"
    assert forced.last_open_at == clock.now().replace(microsecond=0) - timedelta(seconds=20)
    assert cleared.state == "locked"


def test_a_door_held_open_and_a_door_standing_open(sim, clock):
    conn = connect(sim)
    entrance = sim.doors[4]
    user = next(u for u in sim.users.values() if entrance.id in sim.doors_of(u) and not u.disabled)
    now_ms = int(clock.now().timestamp() * 1000)
    sim.attempt_access(now_ms, entrance, user.user_id, 0, hold=True)

    standing = door(conn, 4)
    clock.advance(entrance.open_timeout + 1)
    sim.check_held_open(now_ms + (entrance.open_timeout + 1) * 1000, entrance)
    held = door(conn, 4)

    assert standing.state in ("open", "unlocked") and held.state == "held_open"
    assert all(d.state in DOOR_STATES for d in records(conn.read("door_state")))


@pytest.mark.parametrize("without_alarms", [False, True], ids=["status-alarms", "events-only"])
def test_forced_and_held_open_read_from_status_or_events_until_cleared(clock, without_alarms):
    sim = BioStarSimulator.demo(
        clock=clock, quirks=BioStarQuirks(status_without_alarms=without_alarms)
    )
    for each in sim.doors.values():  # the demo's history: start from quiet doors
        sim.clear_alarms(each, clock.now().timestamp())
    conn = connect(sim)
    entrance, inner = sim.doors[4], sim.doors[3]
    user = next(u for u in sim.users.values() if entrance.id in sim.doors_of(u) and not u.disabled)
    now_ms = int(clock.now().timestamp() * 1000) + 1
    sim.force_open(now_ms, inner)
    sim.attempt_access(now_ms, entrance, user.user_id, 0, hold=True)
    clock.advance(entrance.open_timeout + 1)
    sim.check_held_open(now_ms + (entrance.open_timeout + 1) * 1000, entrance)

    alarmed = {d.vendor_id: d.state for d in records(conn.read("door_state"))}
    conn.command_door("3", "clear_alarm")
    conn.command_door("4", "clear_alarm")
    clock.advance(120)
    quiet = {d.vendor_id: d.state for d in records(conn.read("door_state"))}

    assert (alarmed["3"], alarmed["4"]) == ("forced", "held_open")
    assert (quiet["3"], quiet["4"]) == ("locked", "locked")
    assert not any(state in ("forced", "held_open") for state in quiet.values())


def test_the_quirks_files_status_example_is_an_operator_unlocked_door_held_open():
    """``status "2048"``, ``alarm "2049"``; a server refusing the alarm event search costs
    nothing but that search."""
    ok = {"Response": {"code": "0", "message": "Success"}}
    status_row = {
        "door_id": {"id": "2"},
        "opened": "true",
        "unlocked": "true",
        "last_open_time": "1772442000",
        "status": "2048",
        "alarm": "2049",
    }
    conn = scripted_connector(
        httpx.Response(200, json={"DoorStatusCollection": {"rows": [status_row]}, **ok}),
        httpx.Response(400, json={"Response": {"code": "30", "message": "Unknown column."}}),
        httpx.Response(200, json={"DoorCollection": {"total": "1", "rows": [{"id": "2"}]}, **ok}),
    )

    (record,) = records(conn.read("door_state"))

    assert (record.state, record.mode) == ("held_open", "manual_unlock")
    assert record.last_open_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("holder", "value", "state", "mode"),
    [
        ("emergency", "lock", "locked", "lockdown"),
        ("emergency", "unlock", "unlocked", "lockdown"),
        ("schedule", "lock", "locked", "scheduled_lock"),
        ("schedule", "unlock", "unlocked", "scheduled_unlock"),
    ],
)
def test_emergency_is_lockdown_and_schedules_are_scheduled_modes(bare, holder, value, state, mode):
    setattr(bare.doors[2], holder, value)

    record = door(connect(bare), 2)

    assert (record.state, record.mode) == (state, mode)
    assert record.mode in DOOR_MODES


def test_door_commands_refuse_unknown_actions_and_doors(bare):
    conn = connect(bare)

    with pytest.raises(errors.ValidationError):
        conn.command_door("1", "explode")
    with pytest.raises(errors.NotFoundError, match="Door 999 does not exist"):
        conn.command_door("999", "unlock")


def test_a_device_that_refuses_a_door_command_is_a_transient_error():
    refused = httpx.Response(
        200,
        json={
            "DeviceResponse": {"rows": {"0": {"id": "5", "code": "-3"}}, "result": "false"},
            "Response": {"code": "0", "message": "Success"},
        },
    )

    with pytest.raises(errors.TransientError, match="device 5 code -3"):
        scripted_connector(refused).command_door("1", "unlock")


# -- reads: events and punches -------------------------------------------------------------------
def test_door_events_are_ascending_unique_and_keyed_by_datetime_device_and_id(sim):
    conn = connect(sim, page_size=150)

    pages = list(conn.read("door_events", "2026-02-27T00:00:00Z"))

    events = records(pages)
    assert len(pages) > 3
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert len({e.vendor_id for e in events}) == len(events)
    first = events[0]
    moment, device_id, event_id = first.vendor_id.split("|")
    assert (device_id, event_id) == (first.device_id, first.raw["id"])
    assert moment == format_query_utc(first.occurred_at)
    assert moment[:22] == first.raw["datetime"][:22]
    assert pages[-1].cursor == events[-1].vendor_id.split("|")[0]
    since_ms = int((datetime(2026, 2, 27, tzinfo=UTC) - conn.event_lookback).timestamp() * 1000)
    window = [r for r in (sim.events[i] for i in range(len(sim.events))) if r[0] >= since_ms]
    assert len(events) == len(window)


def test_door_event_time_is_the_utc_datetime_never_server_datetime(sim, conn):
    events = records(conn.read("door_events", "2026-03-02T07:00:00Z"))

    event = events[-1]
    assert event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S") == event.raw["datetime"][:19]
    assert event.raw["server_datetime"][:19] != event.raw["datetime"][:19]
    assert event.occurred_at.tzinfo is UTC


def test_door_event_kinds_directions_and_descriptions(sim, clock):
    conn = connect(sim, page_size=500)
    door3 = sim.doors[3]
    now_ms = int(clock.now().timestamp() * 1000)
    sim.force_open(now_ms + 1, door3)
    sim.clear_alarms(door3, (now_ms + 2) / 1000)

    events = records(conn.read("door_events", "2026-02-23T00:00:00Z"))

    kinds = {e.kind for e in events}
    assert {"granted", "denied", "forced_open", "held_open", "alarm_cleared"} <= kinds
    face = next(e for e in events if e.code == str(ev.IDENTIFY_SUCCESS_FACE))
    assert face.kind == "granted" and face.description == "1:N authentication succeeded (Face)"
    assert next(e for e in events if e.code == str(ev.ACCESS_DENIED)).kind == "denied"
    assert {e.direction for e in events if e.raw["tna_key"] == "1"} == {"in"}
    assert {e.direction for e in events if e.raw["tna_key"] == "5"} == {"break_out"}
    assert {e.direction for e in events if e.raw["tna_key"] == "0"} == {"unknown"}
    tail = [e.kind for e in events if e.door_id == "3" and e.occurred_at >= START]
    assert tail[-3:] == ["forced_open", "forced_open", "alarm_cleared"]


def test_resuming_from_a_cursor_rereads_the_overlap_and_then_only_new_events(sim, clock):
    conn = connect(sim, page_size=500)
    first = records(conn.read("door_events", "2026-03-02T00:00:00Z"))
    cursor = list(conn.read("door_events", "2026-03-02T00:00:00Z"))[-1].cursor
    clock.advance(timedelta(hours=3))

    again = records(conn.read("door_events", cursor))

    old_keys = {e.vendor_id for e in first}
    overlap = [e for e in again if e.vendor_id in old_keys]
    fresh = [e for e in again if e.vendor_id not in old_keys]
    earliest = first[-1].occurred_at - conn.event_lookback
    assert overlap and all(e.occurred_at >= earliest for e in overlap)
    assert fresh and min(e.occurred_at for e in fresh) > first[-1].occurred_at


@pytest.mark.parametrize("ignore_offset", [False, True], ids=["offset-honoured", "offset-ignored"])
def test_events_at_the_same_instant_beyond_a_page_are_each_read_once(bare, clock, ignore_offset):
    bare.quirks.ignore_offset = ignore_offset
    conn = connect(bare, page_size=10)
    door1 = bare.doors[1]
    instant = int(clock.now().timestamp() * 1000)
    for _ in range(35):
        bare.log_event(instant, door1, "1", ev.VERIFY_SUCCESS_CARD, 1)
    bare.log_event(instant + 5000, door1, "1", ev.VERIFY_SUCCESS_CARD, 2)

    events = records(conn.read("door_events"))

    assert len(events) == len({e.vendor_id for e in events}) == 36
    assert events[-1].direction == "out"


def test_a_server_ignoring_offset_still_yields_every_event_once(clock):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(ignore_offset=True))
    conn = connect(sim, page_size=150)

    events = records(conn.read("door_events", "2026-02-27T00:00:00Z"))

    since_ms = int((datetime(2026, 2, 27, tzinfo=UTC) - conn.event_lookback).timestamp() * 1000)
    window = [r for r in (sim.events[i] for i in range(len(sim.events))) if r[0] >= since_ms]
    assert len(events) == len({e.vendor_id for e in events}) == len(window)


def test_events_with_only_server_datetime_are_read_in_the_accounts_zone(clock):
    plain = BioStarSimulator.demo(clock=clock)
    local_only = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(server_datetime_only=True))

    expected = records(connect(plain).read("door_events", "2026-03-01T00:00:00Z"))
    events = records(connect(local_only).read("door_events", "2026-03-01T00:00:00Z"))

    assert events and "datetime" not in events[0].raw
    assert [(e.vendor_id, e.occurred_at) for e in events] == [
        (e.vendor_id, e.occurred_at) for e in expected
    ]
    assert events[-1].occurred_at.tzinfo is UTC
    assert (
        events[-1].occurred_at.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M:%S")
        == (events[-1].raw["server_datetime"][:19])
    )


@pytest.mark.parametrize("anonymous", [False, True], ids=["user-left-out", "user-zero"])
def test_events_of_nobody_are_kept_as_door_events_with_no_person(clock, anonymous):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(anonymous_events=anonymous))
    conn = connect(sim, page_size=500)

    events = records(conn.read("door_events", "2026-02-26T00:00:00Z"))
    punches = records(conn.read("punches", "2026-02-26T00:00:00Z"))

    nobody = [e for e in events if e.kind in ("forced_open", "held_open") or e.code == "5123"]
    assert nobody and all(e.person_id is None for e in nobody)
    assert ("user_id" in nobody[0].raw) is anonymous
    assert all(e.person_id != "0" for e in events)
    assert punches and all(p.person_code not in ("", "0") for p in punches)


def test_event_ids_restart_monthly_so_the_key_keeps_both(sim):
    conn = connect(sim, page_size=1000)

    events = records(conn.read("door_events"))  # January's last day, February, March so far

    by_id: dict[tuple, set] = {}
    for e in events:
        by_id.setdefault((e.device_id, e.raw["id"]), set()).add(e.vendor_id)
    assert any(len(keys) > 1 for keys in by_id.values())
    assert len({e.vendor_id for e in events}) == len(events) == len(sim.events)


def test_an_event_cursor_that_is_not_a_datetime_is_refused(conn):
    with pytest.raises(errors.ValidationError):
        list(conn.read("door_events", "last tuesday"))


def test_punches_are_granted_events_with_a_tna_key(sim):
    conn = connect(sim, page_size=500)

    punches = records(conn.read("punches", "2026-02-26T00:00:00Z"))
    events = records(conn.read("door_events", "2026-02-26T00:00:00Z"))

    expected = [e for e in events if e.kind == "granted" and e.raw["tna_key"] != "0"]
    assert [p.vendor_id for p in punches] == [e.vendor_id for e in expected]
    assert all(isinstance(p, PunchRecord) and p.person_code == p.person_id for p in punches)
    assert {p.direction for p in punches} == {"in", "out", "break_out", "break_in"}


# -- people writes ------------------------------------------------------------------------------
def new_person(**changes) -> PersonRecord:
    fields = {
        "vendor_id": "",
        "code": "0777",
        "first_name": "Ada",
        "last_name": "van Lovelace",
        "email": "ada@nordhafen.example",
        "phone": "+49 40 1234",
        "department_id": "1002",
        "department_name": "Finance",
        "position_name": "Controller",
        "hire_date": date(2026, 4, 1),
    }
    return PersonRecord(**{**fields, **changes})


def test_find_person_by_code_keeps_leading_zeros_and_answers_none_when_missing(conn):
    found = conn.find_person("00002")

    assert found is not None and found.code == "00002"
    assert conn.find_person("2") is None and conn.find_person("no/such user") is None


def test_create_person_then_read_it_back(sim, conn):
    created = conn.create_person(new_person())

    user = sim.users["0777"]
    assert created.vendor_id == "0777" and created.last_name == "van Lovelace"
    assert (user.name, user.user_group_id) == ("Ada van Lovelace", 1002)
    assert user.user_title == "Controller" and created.hire_date == date(2026, 4, 1)
    assert user.start_datetime == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # Berlin midnight
    assert created.active and created.terminated_on is None


def test_create_person_twice_is_a_conflict(conn):
    conn.create_person(new_person())

    with pytest.raises(errors.ConflictError) as caught:
        conn.create_person(new_person())

    assert "already in use" in caught.value.message and caught.value.vendor_code == "31"


def test_create_person_with_a_bad_group_is_not_found_with_the_vendors_message(conn):
    with pytest.raises(errors.NotFoundError, match="User group 99 does not exist"):
        conn.create_person(new_person(department_id="99"))


def test_update_person_moves_the_user_group_and_changes_fields(sim, conn):
    it = next(g for g in sim.user_groups.values() if g.name == "IT")
    before = conn.find_person("00002")

    after = conn.update_person(
        "00002",
        PersonRecord(
            "00002",
            "00002",
            first_name="Neu",
            last_name=before.last_name,
            email=before.email,
            department_id=str(it.id),
            department_name="IT",
            position_name="Support Engineer",
        ),
    )

    assert (after.first_name, after.department_id) == ("Neu", str(it.id))
    assert after.position_name == "Support Engineer"
    assert sim.users["00002"].user_group_id == it.id


def test_a_write_handed_the_push_read_sends_only_the_put(sim, conn):
    """BioStar answers a PUT with a code alone: the user now is the row read with the sent
    fields over it, as a read-back would show, so neither a check GET nor a read-back is sent."""
    it = next(g for g in sim.user_groups.values() if g.name == "IT")
    before = conn.get_person("00002")
    sim.request_log.clear()

    after = conn.update_person(
        "00002",
        replace(before, first_name="Neu", department_id=str(it.id), department_name="IT"),
        current=before,
    )
    rehired = conn.rehire_person("00002", after, current=after)
    sent = [method for method, _ in sim.request_log]

    assert sent == ["PUT", "PUT"]
    assert replace(after, raw={}) == replace(conn.get_person("00002"), raw={})
    assert after.first_name == "Neu" and after.department_id == str(it.id)
    assert rehired.active and replace(rehired, raw={}) == replace(after, raw={})


def test_a_write_without_a_read_checks_the_user_and_builds_on_that_row(sim, conn):
    before = conn.get_person("00002")
    sim.request_log.clear()

    after = conn.update_person("00002", replace(before, first_name="Neu"))

    assert [method for method, _ in sim.request_log] == ["GET", "PUT"]
    assert replace(after, raw={}) == replace(conn.get_person("00002"), raw={})


def test_a_write_without_a_read_refuses_a_user_made_an_operator_since(sim, conn):
    conn.get_person("00002")
    sim.users["00002"].permission_id = 3  # made an operator since: the old row no longer holds

    with pytest.raises(errors.SystemAccountError):
        conn.update_person("00002", new_person(code="00002"))

    assert not [m for m, _ in sim.request_log if m == "PUT"]


def test_terminate_then_rehire(sim, clock, conn):
    person = conn.create_person(new_person(hire_date=date(2025, 1, 1)))

    conn.terminate_person(person.vendor_id, clock.now().date(), "left")
    clock.advance(60)
    gone = conn.find_person(person.code)
    ended_at = sim.users["0777"].expiry_datetime
    back = conn.rehire_person(person.vendor_id, person)

    assert gone.active is False and gone.terminated_on == date(2026, 3, 2)
    assert ended_at == START
    assert back.active is True and back.terminated_on is None
    assert sim.users["0777"].disabled is False


def test_terminating_before_the_access_started_moves_the_start_too(sim, conn):
    person = conn.create_person(new_person(hire_date=date(2026, 6, 1)))

    conn.terminate_person(person.vendor_id, date(2026, 3, 2))

    user = sim.users["0777"]
    assert user.disabled and user.start_datetime == user.expiry_datetime == START


def test_access_group_membership_is_set_on_the_user(sim, conn):
    staff = next(g for g in sim.access_groups.values() if g.name == "Hamburg HQ staff")
    conn.create_person(new_person())

    person = conn.set_access_groups("0777", [str(staff.id)])

    assert "0777" in staff.user_ids
    assert [g["id"] for g in person.raw["access_groups"]] == [str(staff.id)]


@pytest.mark.parametrize("truncates", [False, True], ids=["plain", "large-delete-truncates"])
def test_deleting_many_users_goes_in_batches_of_at_most_1000(clock, truncates):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(large_user_delete_truncates=truncates))
    api = sim.client()
    api.post(
        "/api/users",
        json={
            "UserCollection": {
                "rows": [{"user_id": str(20000 + i), "name": f"Bulk {i}"} for i in range(2500)]
            }
        },
        headers={"bs-session-id": connect(sim).client.auth_headers()["bs-session-id"]},
    )

    result = connect(sim).delete_people(str(20000 + i) for i in range(2500))

    assert result == {"deleted": 2500, "missing": []}
    assert set(sim.users) == {"1"}
    assert sim.request_log.count(("DELETE", "/api/users")) == 3


def test_deleting_users_that_are_already_gone_reports_them(sim, conn):
    first, second = sorted(u for u in sim.users if u != "1")[:2]

    result = conn.delete_people([first, "424242", second])

    assert result == {"deleted": 2, "missing": ["424242"]}
    assert not {first, second} & set(sim.users)


# -- quirks ------------------------------------------------------------------------------------
def test_omitted_empty_collections_read_as_empty_pages(clock):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(omit_empty_collections=True))
    conn = connect(sim)

    people = list(conn.read("people", "999999"))
    events = list(conn.read("door_events", "2026-03-01T00:00:00Z"))
    doors = list(conn.read("doors"))

    assert records(people) == [] and people[-1].cursor == "999999"
    assert records(events) == [] and events[-1].cursor == "2026-03-01T00:00:00Z"
    assert records(doors) == [] and records(conn.read("devices")) == []


def test_indexed_object_arrays_read_like_lists(clock):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(indexed_object_arrays=True))
    conn = connect(sim, page_size=100)

    people = records(conn.read("people"))
    doors = records(conn.read("door_state"))
    events = records(conn.read("door_events", "2026-03-02T00:00:00Z"))

    assert len(people) == len(sim.users) and len(doors) == 10 and events
    assert len(records(conn.read("departments"))) == len(sim.user_groups)
    assert len(records(conn.read("devices"))) == len(sim.devices)
    member = conn.find_person("00002")
    assert isinstance(member.raw["access_groups"], dict)
    assert access_group_ids(member.raw)
    assert conn.command_door("1", "unlock")["DeviceResponse"]["result"] == "true"


def test_a_new_login_ending_older_sessions_costs_each_connector_one_relogin(clock):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(new_login_ends_old_sessions=True))
    first, second = connect(sim), connect(sim)

    first.check()
    second.check()  # ends the first connector's session
    doors = records(first.read("doors"))

    assert len(doors) == 10 and logins(sim) == 3


def test_a_malformed_request_that_ended_the_session_costs_one_relogin(clock):
    quirks = BioStarQuirks(malformed_request_ends_session=True)
    sim = BioStarSimulator.demo(clock=clock, quirks=quirks)
    conn = connect(sim)
    conn.check()
    headers = {"bs-session-id": conn.client.session_id, "content-type": "application/json"}
    bad = sim.client().post("/api/users", content=b"{not json", headers=headers)

    doors = records(conn.read("doors"))

    assert bad.status_code == 400 and len(doors) == 10 and logins(sim) == 2


# -- faults ------------------------------------------------------------------------------------
def test_an_error_burst_is_retried_with_backoff(sim, sleeps):
    conn = connect(sim, sleeps)
    sim.faults.error_burst = 2

    doors = records(conn.read("doors"))

    assert len(doors) == 10 and len(sleeps) == 2


def test_an_error_burst_longer_than_the_retries_is_a_transient_error(sim, sleeps):
    conn = connect(sim, sleeps, max_retries=3)
    conn.check()
    sim.faults.error_burst = 10
    sim.faults.only_paths = ("/api/doors",)

    with pytest.raises(errors.TransientError) as caught:
        list(conn.read("doors"))

    assert caught.value.status_code == 503 and len(sleeps) == 3
    assert sim.request_log.count(("POST", "/api/doors/status")) == 4


@pytest.mark.parametrize("fault", ["timeouts", "drops"])
def test_timeouts_and_drops_are_retried(sim, sleeps, fault):
    conn = connect(sim, sleeps)
    setattr(sim.faults, fault, 2)

    people = records(conn.read("people"))

    assert len(people) == len(sim.users) and len(sleeps) == 2


@pytest.mark.parametrize("fault", ["timeouts", "drops"])
def test_endless_timeouts_and_drops_end_in_a_bounded_transient_error(sim, sleeps, fault):
    conn = connect(sim, sleeps, max_retries=2)
    setattr(sim.faults, fault, 50)

    with pytest.raises(errors.TransientError):
        conn.check()

    assert len(sleeps) == 2 and len(sim.request_log) == 3


def test_a_fault_on_the_login_inside_a_call_is_retried_by_that_call(sim, sleeps):
    conn = connect(sim, sleeps)
    sim.faults.drops = 1
    sim.faults.only_paths = ("/api/login",)

    devices = records(conn.read("devices"))

    assert devices and logins(sim) == 2 and len(sleeps) == 1


def test_latency_slows_but_does_not_break_a_read(sim, conn):
    sim.faults.latency = 0.002

    assert len(records(conn.read("door_state"))) == 10


def test_an_html_page_with_200_is_a_protocol_error():
    page = "<html><body>Login</body></html>"
    html = httpx.Response(200, text=page, headers={"content-type": "text/html"})

    with pytest.raises(errors.ProtocolError, match="HTML"):
        list(scripted_connector(html).read("devices"))


def test_a_2xx_answer_with_a_failure_code_is_an_error_with_the_vendors_message():
    partial = httpx.Response(200, json={"Response": {"code": "8", "message": "Failed"}})

    with pytest.raises(errors.ValidationError, match="Failed"):
        list(scripted_connector(partial).read("devices"))


def test_a_page_that_repeats_is_a_protocol_error():
    rows = [{"id": str(i), "name": f"D{i}"} for i in range(100)]
    same = httpx.Response(
        200,
        json={
            "DoorCollection": {"total": "1000", "rows": rows},
            "DoorStatusCollection": {"rows": []},
            "Response": {"code": "0"},
        },
    )

    with pytest.raises(errors.ProtocolError, match="same page"):
        list(scripted_connector(same).read("doors"))


def test_reads_of_streams_biostar_lacks_are_refused(conn):
    with pytest.raises(errors.PermissionDeniedError):
        conn.read("time_cards")


def test_get_person_reads_a_user_by_id_enabled_or_not(sim, clock, conn):
    person = conn.create_person(new_person())

    assert conn.get_person(person.vendor_id).active is True
    conn.terminate_person(person.vendor_id, clock.now().date(), "left")
    clock.advance(60)
    assert conn.get_person(person.vendor_id).active is False
    assert conn.get_person("no-such-user") is None
    assert conn.get_person("1").system_account is True


# -- access groups ------------------------------------------------------------------------------
def test_access_groups_are_read_and_a_users_groups_travel_on_the_person_record(sim, conn):
    groups = records(conn.read("access_groups"))
    staff = next(g for g in groups if g.name.endswith("staff"))
    person = records(conn.read("people"))[0]

    moved = conn.set_access_groups(person.vendor_id, [staff.vendor_id])

    assert {g.vendor_id for g in groups} == {str(g) for g in sim.access_groups}
    assert moved.access_group_ids == (staff.vendor_id,)
    assert [g.name for g in sim.access_groups_of(person.vendor_id)] == [staff.name]
    assert conn.get_person(person.vendor_id).access_group_ids == (staff.vendor_id,)


# -- several people read together (a push batch) --------------------------------------------------
def user_reads(sim, since: int = 0) -> tuple[int, list[str]]:
    """(reads of the user list, users read by id) since request ``since``."""
    paths = [path for m, path in list(sim.request_log)[since:] if m == "GET"]
    one_by_one = [p.rsplit("/", 1)[1] for p in paths if p.startswith("/api/users/")]
    return paths.count("/api/users"), one_by_one


def test_people_read_from_the_user_list_are_mapped_as_read_one_by_one(sim, conn):
    ids = sorted(sim.users)[:40]
    disabled = next(u.user_id for u in sim.users.values() if u.disabled)
    wanted = [*ids, disabled, "1"]

    found = conn.get_people(wanted)

    assert user_reads(sim) == (1, [])  # one page of the list instead of 42 reads
    since = len(sim.request_log)
    for user_id in wanted:
        assert found[user_id] == conn.get_person(user_id)
    assert user_reads(sim, since) == (0, wanted)
    assert found[disabled].active is False and found["1"].system_account is True


def test_a_user_missing_from_the_list_is_read_by_id_and_is_gone(sim, conn):
    ids = sorted(sim.users)[:5]

    found = conn.get_people([*ids, "no-such-user"])

    assert user_reads(sim) == (1, ["no-such-user"])  # the list shifts under deletes: asked
    assert found["no-such-user"] is None and all(found[i] is not None for i in ids)


def test_the_user_list_is_paged_only_while_that_is_fewer_requests(sim, conn):
    conn.people_list_page = 50  # 257 users listed: 6 pages
    listed = conn.client.list_pages("/api/users", "UserCollection", {"order_by": "user_id:false"})
    ordered = [row["user_id"] for page in listed for row in page]

    # 2 on page 1, 6 on page 2, 1 on page 5: after page 2, four more pages for one user are
    # not worth it
    since = len(sim.request_log)
    wanted = [*ordered[:2], *ordered[50:56], ordered[210]]
    found = conn.get_people(wanted)
    assert user_reads(sim, since) == (2, [ordered[210]])
    assert list(found) == wanted and [found[u].code for u in wanted] == wanted

    # two on the last page: now that the list's size is known, read by id at once
    since = len(sim.request_log)
    conn.get_people(ordered[-2:])
    assert user_reads(sim, since) == (0, ordered[-2:])
