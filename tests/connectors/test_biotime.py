"""The BioTime connector against its simulator, over HTTP in-process (``sim.transport()``).

Nothing of the connector is patched: faults and quirks are switched on the simulator, and a
recording transport around ``sim.transport()`` shows which answers came back.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from connectors import errors
from connectors.biotime import mapping
from connectors.biotime.connector import BioTimeConnector
from connectors.biotime.cursor import PunchCursor
from connectors.biotime.simulator import BioTimeQuirks, BioTimeSimulator
from connectors.biotime.simulator.records import Terminal
from connectors.biotime.simulator.seed import CONTRACTOR_CODE
from connectors.client import ClientOptions
from connectors.records import PersonRecord
from connectors.registry import connector_class
from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve

# A Wednesday, 12:40 in Berlin: people are at work, the Bremen loading dock is offline.
NOW = datetime(2025, 3, 12, 11, 40, tzinfo=UTC)
BERLIN = "Europe/Berlin"


class Recording(httpx.BaseTransport):
    """``sim.transport()`` plus a log of (method, path, status) for assertions."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner, self.log = inner, []

    def handle_request(self, request):
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError as exc:
            self.log.append((request.method, request.url.path, type(exc).__name__))
            raise
        self.log.append((request.method, request.url.path, response.status_code))
        return response

    def statuses(self, path_part: str = "") -> list:
        return [status for _, path, status in self.log if path_part in path]

    def logins(self) -> int:
        return sum(1 for method, path, _ in self.log if method == "POST" and "token-auth" in path)


@pytest.fixture
def clock():
    return SimClock(NOW, frozen=True)


@pytest.fixture
def demo(clock):
    """The demo company with a week of punches (the resignations are 12 days old)."""
    return BioTimeSimulator.demo(clock=clock, history_days=7)


@pytest.fixture
def empty(clock):
    """A fresh server with one terminal (default department and area only)."""
    sim = BioTimeSimulator(clock=clock)
    sim.directory.add_terminal(Terminal(1, "ACEZ185060382", "Gate", "127.0.0.1", area_id=1))
    return sim


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make(clock, sleeps):
    def make(sim, credentials=None, *, sim_clock=True, **kwargs):
        options = ClientOptions(
            **{"time_zone": BERLIN, "page_size": kwargs.pop("page_size", 100)}
            | kwargs.pop("options", {})
        )
        recording = Recording(sim.transport())
        connector = BioTimeConnector(
            "http://sim.test",
            credentials or sim.credentials(),
            options,
            transport=recording,
            sleep=sleeps.append,
            clock=(lambda: clock.now().timestamp()) if sim_clock else (lambda: 0.0),
            **kwargs,
        )
        connector.http_log = recording
        return connector

    return make


def everything(connector, stream, cursor=None):
    pages = list(connector.read(stream, cursor))
    return pages, [r for p in pages for r in p.records], [s for p in pages for s in p.skipped]


def person(code="0042", **fields) -> PersonRecord:
    values = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"} | fields
    return PersonRecord(vendor_id="", code=code, **values)


def with_token(sim, kind):
    return sim.credentials() | {"login_kind": kind}


# -- identity, capabilities ------------------------------------------------------------------------
def test_registry_finds_the_connector_with_its_capabilities():
    cls = connector_class("biotime")

    assert cls is BioTimeConnector
    assert cls.capabilities.reads == {
        "people",
        "departments",
        "positions",
        "sites",
        "devices",
        "punches",
    }
    assert cls.capabilities.can("writes", "people") and cls.capabilities.can("deletes", "people")
    assert not cls.capabilities.commands


def test_check_logs_in_and_counts_terminals(demo, make):
    bt = make(demo)

    identity = bt.check()

    assert identity.vendor == "ZKTeco BioTime" and identity.server == "http://sim.test"
    assert identity.user == "admin" and identity.details["terminals"] == 7
    assert bt.http_log.logins() == 1


def test_unknown_stream_is_refused(demo, make):
    with pytest.raises(errors.PermissionDeniedError):
        make(demo).read("doors")


# -- logins ----------------------------------------------------------------------------------------
def test_general_token_is_sent_as_token_and_never_renewed(empty, make, clock):
    bt = make(empty, with_token(empty, "token"))
    bt.check()

    clock.advance(timedelta(days=400))
    bt.check()

    assert bt.client.scheme == "Token" and bt.http_log.logins() == 1


def test_jwt_is_renewed_before_exp_without_a_401_round_trip(demo, make, clock):
    bt = make(demo)  # its clock is the simulator's clock
    bt.check()

    clock.advance(301)  # past the 5-minute exp
    bt.check()

    assert bt.http_log.logins() == 2
    assert 401 not in bt.http_log.statuses()


def test_jwt_expiry_unseen_by_our_clock_costs_one_401_then_one_relogin(demo, make, clock):
    bt = make(demo, sim_clock=False)  # our clock never moves: only the server sees the expiry
    bt.check()

    clock.advance(301)
    identity = bt.check()

    assert identity.details["terminals"] == 7
    assert bt.http_log.statuses("/iclock/") == [200, 401, 200]
    assert bt.http_log.logins() == 2


def test_tokens_revoked_mid_paging_cost_one_relogin_and_paging_goes_on(demo, make):
    bt = make(demo, page_size=50)
    demo.vendor_faults.revoke_tokens_after = 3

    _, people, _ = everything(bt, "people")

    codes = [p.code for p in people if p.active]
    assert len(codes) == len(set(codes)) == len(demo.directory.active_employee_ids())
    assert bt.http_log.logins() == 2
    assert bt.http_log.statuses("/personnel/api/employees/").count(401) == 1


def test_general_token_revoked_mid_paging_also_relogs_once(demo, make):
    bt = make(demo, with_token(demo, "token"), page_size=50)
    demo.vendor_faults.revoke_tokens_after = 2

    _, devices, _ = everything(bt, "devices")
    _, people, _ = everything(bt, "people")

    assert len(devices) == 7 and len(people) > 250
    assert bt.http_log.logins() == 2


@pytest.mark.parametrize("kind", ["staff_jwt", "staff_token"])
def test_staff_logins_read_only_their_own_punches(demo, make, kind):
    credentials = with_token(demo, kind)
    bt = make(demo, credentials)

    _, punches, _ = everything(bt, "punches")

    assert punches and {p.person_code for p in punches} == {credentials["staff_username"]}
    assert all(p.device_id.startswith("CQZ") for p in punches)  # terminals are off limits: serials
    with pytest.raises(errors.PermissionDeniedError):
        everything(bt, "people")


def test_wrong_password_is_one_login_attempt_and_an_authentication_error(demo, make):
    bt = make(demo, {"username": "admin", "password": "wrong"})

    with pytest.raises(errors.AuthenticationError, match="lock the account"):
        bt.check()

    assert bt.http_log.logins() == 1 and not bt.http_log.statuses("/iclock/")


def test_locked_account_403_on_login_is_an_authentication_error_not_retried(demo, make, sleeps):
    for _ in range(5):
        with pytest.raises(errors.AuthenticationError):
            make(demo, {"username": "admin", "password": "guess"}).check()
    bt = make(demo)

    with pytest.raises(errors.AuthenticationError, match="locked") as caught:
        bt.check()

    assert caught.value.status_code == 403 and bt.http_log.logins() == 1 and not sleeps


def test_missing_credentials_are_refused_before_any_request(demo, make):
    with pytest.raises(errors.AuthenticationError):
        make(demo, {"username": "admin"})


def test_unknown_login_kind_is_a_validation_error(demo, make):
    with pytest.raises(errors.ValidationError):
        make(demo, with_token(demo, "oauth"))


def test_a_401_after_a_fresh_login_is_an_authentication_error():
    def answer(request):
        if "token-auth" in request.url.path:
            return httpx.Response(200, json={"token": "abc"})
        return httpx.Response(401, json={"detail": "Invalid token."})

    bt = BioTimeConnector(
        "http://x.test",
        {"username": "a", "password": "b", "login_kind": "token"},
        transport=httpx.MockTransport(answer),
        sleep=lambda s: None,
    )

    with pytest.raises(errors.AuthenticationError, match="fresh token"):
        bt.check()
    assert bt.client.logins == 2  # the first token, then exactly one more


# -- licence, HTML, paths ----------------------------------------------------------------------------
def test_missing_api_licence_says_so_plainly(demo, make):
    demo.vendor_faults.licence_missing = True
    bt = make(demo)

    with pytest.raises(errors.PermissionDeniedError, match="API module") as caught:
        bt.check()
    with pytest.raises(errors.PermissionDeniedError, match="licen"):
        everything(bt, "punches")

    assert not caught.value.is_retryable


def test_html_with_200_is_a_protocol_error_not_data(demo, make, sleeps):
    bt = make(demo)
    bt.check()
    demo.vendor_faults.html_200 = 1

    with pytest.raises(errors.ProtocolError, match="HTML"):
        everything(bt, "devices")
    assert not sleeps


def test_html_with_200_on_the_login_is_a_protocol_error(demo, make):
    demo.vendor_faults.html_200 = 1

    with pytest.raises(errors.ProtocolError, match="HTML"):
        make(demo).check()


def test_wrong_base_path_gives_not_found_or_protocol_error_with_the_html_quirk(demo, sleeps):
    def connector():
        return BioTimeConnector(
            "http://sim.test/biotime",
            demo.credentials(),
            transport=demo.transport(),
            sleep=sleeps.append,
        )

    with pytest.raises(errors.NotFoundError, match="server address"):
        connector().check()
    demo.quirks.html_for_unknown_paths = True
    with pytest.raises(errors.ProtocolError, match="HTML"):
        connector().check()


def test_a_redirect_is_reported_not_followed():
    def answer(request):
        return httpx.Response(301, headers={"Location": "https://x.test/jwt-api-token-auth/"})

    bt = BioTimeConnector(
        "http://x.test",
        {"username": "a", "password": "b"},
        transport=httpx.MockTransport(answer),
        sleep=lambda s: None,
    )

    with pytest.raises(errors.ProtocolError, match="redirected"):
        bt.check()


def test_envelope_code_other_than_zero_is_an_error():
    def answer(request):
        if "token-auth" in request.url.path:
            return httpx.Response(200, json={"token": "abc"})
        return httpx.Response(
            200,
            json={"count": 0, "next": None, "previous": None, "msg": "busy", "code": 1, "data": []},
        )

    bt = BioTimeConnector(
        "http://x.test",
        {"username": "a", "password": "b", "login_kind": "token"},
        transport=httpx.MockTransport(answer),
        sleep=lambda s: None,
    )

    with pytest.raises(errors.ValidationError, match="busy"):
        bt.check()


# -- paging ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("param", ["page_size", "limit"])
def test_page_size_arrives_whichever_parameter_the_build_honours(demo, make, param):
    demo.quirks.page_size_param = param
    bt = make(demo, page_size=100)

    pages, people, _ = everything(bt, "people")

    active = len(demo.directory.active_employee_ids())
    assert len([p for p in pages if p.records and p.records[0].active]) == -(-active // 100)
    assert len({p.vendor_id for p in people}) == len(people)


def test_next_as_string_null_ends_paging(demo, make):
    demo.quirks.next_as_string_null = True
    bt = make(demo, page_size=3)

    pages, sites, _ = everything(bt, "sites")

    assert len(sites) == 4 and len(pages) == 2


@pytest.mark.parametrize("results_key", [True, False])
def test_empty_list_is_one_empty_page(clock, make, results_key):
    sim = BioTimeSimulator(clock=clock)
    sim.quirks.empty_page_results_key = results_key

    pages, devices, skipped = everything(make(sim), "devices")

    assert len(pages) == 1 and devices == [] and skipped == []


def test_repeated_page_is_a_protocol_error_not_a_loop(demo, make):
    demo.vendor_faults.repeat_page = 1
    bt = make(demo, page_size=50)

    with pytest.raises(errors.ProtocolError, match="same page"):
        everything(bt, "people")


def test_next_is_followed_as_given_over_real_loopback(clock, sleeps):
    sim = BioTimeSimulator.demo(clock=clock)
    running = serve(sim)
    try:
        bt = BioTimeConnector(
            running.base_url,
            sim.credentials(),
            ClientOptions(page_size=40, time_zone=BERLIN),
            sleep=sleeps.append,
        )
        pages, people, _ = everything(bt, "people")
    finally:
        running.server.shutdown()

    assert len(pages) > 5 and len(people) == len(sim.directory.employees)


# -- kit faults --------------------------------------------------------------------------------------
def test_error_burst_is_retried_with_backoff_then_succeeds(demo, make, sleeps):
    bt = make(demo)
    demo.faults.error_burst = 2

    _, devices, _ = everything(bt, "devices")

    assert len(devices) == 7 and len(sleeps) == 2


def test_long_error_burst_gives_up_with_a_transient_error(demo, make, sleeps):
    bt = make(demo, options={"max_retries": 3})
    demo.faults.error_burst = 20

    with pytest.raises(errors.TransientError) as caught:
        bt.check()

    assert caught.value.is_retryable and len(sleeps) == 3


def test_rate_limit_status_is_retried(demo, make, sleeps):
    bt = make(demo)
    demo.faults.error_status, demo.faults.error_burst = 429, 1

    assert bt.check().details["terminals"] == 7
    assert len(sleeps) == 1


@pytest.mark.parametrize("fault", ["timeouts", "drops"])
def test_timeouts_and_dropped_connections_are_retried(demo, make, sleeps, fault):
    bt = make(demo)
    setattr(demo.faults, fault, 2)

    _, sites, _ = everything(bt, "sites")

    assert len(sites) == 4 and len(sleeps) == 2


def test_failing_login_is_retried_as_part_of_the_call_not_on_its_own(demo, make, sleeps):
    bt = make(demo)
    demo.faults.only_paths, demo.faults.error_burst = ("/jwt-api-token-auth/",), 2

    assert bt.check().details["terminals"] == 7
    assert len(sleeps) == 2 and bt.http_log.logins() == 3


def test_latency_only_slows_things_down(demo, make):
    demo.faults.latency = 0.01

    assert make(demo).check().details["terminals"] == 7


def test_slow_first_request_after_idle_times_out_once_then_succeeds(clock, sleeps):
    quirks = BioTimeQuirks(slow_first_request_seconds=0.6, idle_threshold_seconds=600)
    sim = BioTimeSimulator.demo(clock=clock, quirks=quirks)
    running = serve(sim)
    try:
        options = ClientOptions(timeout=0.2, connect_timeout=1, time_zone=BERLIN)
        bt = BioTimeConnector(running.base_url, sim.credentials(), options, sleep=sleeps.append)
        identity = bt.check()
    finally:
        running.server.shutdown()

    assert identity.details["terminals"] == 7 and len(sleeps) == 1


# -- quirks: people ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["nested", "flat"])
def test_people_in_both_shapes_have_ids_names_and_sites(demo, make, shape):
    demo.quirks.employee_shape = shape

    _, people, skipped = everything(make(demo), "people")

    first = next(p for p in people if p.code == demo.directory.employees[1].emp_code)
    employee = demo.directory.employees[1]
    assert not skipped
    assert first.department_id == str(employee.department_id) and first.department_name
    assert first.position_id == str(employee.position_id) and first.position_name
    assert first.site_ids == tuple(str(a) for a in employee.area_ids)
    assert first.code.startswith("00") and first.hire_date == date.fromisoformat(employee.hire_date)


def test_resigned_people_come_last_inactive_with_their_date(demo, make):
    _, people, _ = everything(make(demo), "people")

    resigned = [p for p in people if not p.active]
    assert len(resigned) == 2
    assert all(p.terminated_on == date(2025, 2, 28) and p.department_name for p in resigned)
    assert {p.vendor_id for p in resigned} == {"40", "150"}


def test_custom_fields_are_kept_in_raw(demo, make):
    demo.quirks.custom_fields = True

    _, people, _ = everything(make(demo), "people")

    assert all("Cost Center" in p.raw for p in people if p.active)


def test_custom_fields_come_back_as_extra_fields_without_secrets(demo, make):
    demo.quirks.custom_fields = True

    _, people, _ = everything(make(demo), "people")

    employee = demo.directory.employees[1]
    first = next(p for p in people if p.vendor_id == "1")
    custom = mapping.extra_fields(first.raw, custom_only=True)
    extra = mapping.extra_fields(first.raw)
    assert custom["Passport No"] == employee.custom["Passport No"]
    assert custom["Global ID"] == "NH-00001" and custom["Primary Job"] == first.position_name
    assert set(custom) == set(employee.custom)
    assert extra["card_no"] == employee.card_no and "Global ID" in extra
    assert not {"device_password", "self_password", "emp_code", "first_name"} & set(extra)
    resigned = next(p for p in people if not p.active)  # read by id: custom fields too
    assert "Global ID" in mapping.extra_fields(resigned.raw, custom_only=True)


# -- a server without the resignation API (BioTime 8.0) ----------------------------------------------
@pytest.fixture
def build_80(clock):
    return BioTimeSimulator.demo(clock=clock, history_days=1, quirks=BioTimeQuirks.build_80())


def test_people_without_the_resign_api_are_the_employee_list_and_the_probe_runs_once(
    build_80, make
):
    bt = make(build_80)

    _, people, skipped = everything(bt, "people")
    _, again, _ = everything(bt, "people")

    listed = build_80.directory.active_employee_ids()
    assert sorted(int(p.vendor_id) for p in people) == sorted(listed) and not skipped
    assert all(p.active for p in people) and len(again) == len(people)
    assert bt.server_capabilities() == {"resignations": False}
    assert bt.http_log.statuses("/resigns/") == [404]  # probed once for the connector's life


def test_check_reports_which_optional_apis_the_server_has(build_80, demo, make):
    assert make(build_80).check().details["capabilities"] == {"resignations": False}
    assert make(demo).check().details["capabilities"] == {"resignations": True}


def test_a_web_ui_catch_all_also_reads_as_no_resign_api(build_80, make):
    build_80.quirks.html_for_unknown_paths = True
    bt = make(build_80)

    _, people, _ = everything(bt, "people")

    assert people and bt.server_capabilities() == {"resignations": False}
    assert bt.http_log.statuses("/resigns/") == [200, 200]  # HTML twice: not a glitch


def test_a_single_html_glitch_does_not_hide_the_resign_api(demo, make):
    bt = make(demo)
    next(bt.read("people"))  # logged in, employees read
    demo.vendor_faults.html_200 = 1

    assert bt.server_capabilities() == {"resignations": True}


def test_terminating_on_a_server_without_resign_api_says_what_to_do(build_80, make, sleeps):
    bt = make(build_80)
    found = bt.find_person(build_80.directory.employees[1].emp_code)
    resigns_before = dict(build_80.directory.resigns)

    with pytest.raises(errors.UnsupportedError) as raised:
        bt.terminate_person(found.vendor_id, date(2025, 3, 31), "Moved away")

    assert not raised.value.is_retryable and isinstance(raised.value, errors.PermissionDeniedError)
    assert "no resignation API" in raised.value.message
    assert "terminate the person in BioTime's console" in raised.value.message
    assert build_80.directory.resigns == resigns_before and not sleeps
    assert [m for m, path, _ in bt.http_log.log if "/resigns/" in path] == ["GET"]


def test_find_and_rehire_work_without_resign_api(build_80, make):
    bt = make(build_80)

    assert bt.find_person("no-such-code") is None
    found = bt.find_person(build_80.directory.employees[1].emp_code)
    back = bt.rehire_person(found.vendor_id, PersonRecord(**{**found.__dict__, "last_name": "X"}))

    assert back.active and back.last_name == "X"


@pytest.mark.parametrize("ids_on_detail", [True, False])
def test_update_answer_with_ids_or_objects_maps_the_same(demo, make, ids_on_detail):
    demo.quirks.fk_ids_on_detail = ids_on_detail
    bt = make(demo)
    found = bt.find_person(demo.directory.employees[1].emp_code)

    updated = bt.update_person(found.vendor_id, found)

    assert updated == found


# -- quirks: devices and punches ---------------------------------------------------------------------
@pytest.mark.parametrize("style", ["bool", "int", "string"])
@pytest.mark.parametrize("state_as_string", [False, True])
def test_terminal_state_and_flags_in_any_type(demo, make, style, state_as_string):
    demo.quirks.is_attendance_style, demo.quirks.terminal_state_as_string = style, state_as_string

    _, devices, _ = everything(make(demo), "devices")

    by_name = {d.name: d for d in devices}
    assert len(devices) == 7 and by_name["HAM Main entrance"].online
    assert not by_name["BRE Loading dock"].online  # offline around noon
    assert by_name["BRE Loading dock"].last_seen_at == datetime(2025, 3, 12, 9, 30, 7, tzinfo=UTC)
    assert (
        by_name["HAM Main entrance"].site_id == "2"
        and by_name["HAM Main entrance"].kind == "terminal"
    )


@pytest.mark.parametrize(
    "quirk",
    [
        {"punch_state_as_int": True},
        {"verify_type_as_string": True},
        {"temperature": "string"},
        {"temperature": "no_sensor"},
        {"temperature": "mixed"},
        {"punch_state_display": "french"},
        {"punch_state_display": "unknown"},
        {"punch_state_display": "null"},
    ],
)
def test_punch_type_quirks_do_not_change_the_records(clock, make, quirk):
    plain = everything(make(BioTimeSimulator.demo(clock=clock, history_days=3)), "punches")[1]
    odd = everything(
        make(BioTimeSimulator.demo(clock=clock, history_days=3, quirks=BioTimeQuirks(**quirk))),
        "punches",
    )[1]

    assert plain and odd == plain
    assert {p.direction for p in odd} >= {"in", "out", "break_out", "break_in"}


@pytest.mark.parametrize("preset", ["build_8x", "messy"])
def test_presets_read_every_stream(clock, make, preset):
    sim = BioTimeSimulator.demo(
        clock=clock, history_days=3, quirks=getattr(BioTimeQuirks, preset)()
    )
    bt = make(sim, page_size=70)

    counts = {stream: len(everything(bt, stream)[1]) for stream in sorted(bt.capabilities.reads)}
    _, people, skipped = everything(bt, "people")

    assert counts["devices"] == 7 and counts["sites"] == 4 and counts["departments"] == 9
    assert counts["people"] == len(sim.directory.employees) and counts["punches"] > 1000
    assert not skipped and all(p.department_name and p.site_ids for p in people)


# -- punches ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("state", "direction"),
    [
        (0, "in"),
        (1, "out"),
        (2, "break_out"),
        (3, "break_in"),
        (4, "in"),
        (5, "out"),
        (255, "unknown"),
    ],
)
@pytest.mark.parametrize("as_int", [False, True])
def test_punch_state_becomes_a_direction(empty, make, state, direction, as_int):
    empty.quirks.punch_state_as_int = as_int
    empty.add_punch("007", terminal_id=1, state=state, upload_delay=3)
    empty.clock.advance(5)

    _, punches, _ = everything(make(empty), "punches")

    assert [(p.person_code, p.direction) for p in punches] == [("007", direction)]


def test_punch_times_are_local_to_utc_and_link_person_and_device(empty, make):
    bt = make(empty)
    bt.create_person(person("007"))
    empty.add_punch("007", terminal_id=1, upload_delay=4)
    empty.clock.advance(10)

    _, [punch], _ = everything(bt, "punches")

    assert punch.occurred_at == NOW and punch.uploaded_at == NOW + timedelta(seconds=4)
    assert punch.person_code == "007" and punch.person_id is not None
    assert punch.device_id == "1" and punch.vendor_id == "1"


def test_device_only_people_have_a_code_but_no_person_id(demo, make):
    _, punches, _ = everything(make(demo), "punches", cursor=_cursor(NOW - timedelta(days=3)))

    contractor = [p for p in punches if p.person_code == CONTRACTOR_CODE]
    assert contractor and all(p.person_id is None for p in contractor)


def test_other_zones_convert_too(clock, make):
    sim = BioTimeSimulator(clock=clock, time_zone="Asia/Dubai")
    sim.directory.add_terminal(Terminal(1, "SN1", "Gate", "127.0.0.1", area_id=1))
    sim.add_punch("1", terminal_id=1, upload_delay=0)
    bt = make(sim, options={"time_zone": "Asia/Dubai"})

    _, [punch], _ = everything(bt, "punches")

    assert punch.occurred_at == NOW and punch.raw["punch_time"] == "2025-03-12 15:40:00"


def _cursor(upload: datetime, swept: datetime | None = None) -> str:
    return PunchCursor(upload, swept or upload).dumps()


def test_page_cursors_never_go_back_and_the_last_records_the_sweep(demo, make):
    pages, punches, _ = everything(make(demo, page_size=300), "punches")

    uploads = [PunchCursor.loads(p.cursor, BERLIN).upload for p in pages]
    assert uploads == sorted(uploads) and len(pages) > 10
    assert uploads[-1] == max(p.uploaded_at for p in punches)
    assert ";swept=" in pages[-1].cursor and ";swept=" not in pages[0].cursor


def test_punch_pages_tell_how_many_rows_the_server_still_has_to_send(demo, make):
    pages, punches, _ = everything(make(demo, page_size=300), "punches")

    # the server's count less the rows its pages delivered so far: batches shrink to the end
    left = [page.remaining for page in pages]
    assert left[-1] == 0 and left == sorted(left, reverse=True)
    assert left[0] == len(punches) - len(pages[0].records) - len(pages[0].skipped)


def test_resume_rereads_only_the_lookback_and_brings_the_new_punches(demo, make, clock):
    bt = make(demo, page_size=500)
    cursor = list(bt.read("punches"))[-1].cursor

    clock.advance(timedelta(minutes=20))
    _, again, _ = everything(bt, "punches", cursor)

    high = PunchCursor.loads(cursor, BERLIN).upload
    assert again and min(p.occurred_at for p in again) >= high - timedelta(minutes=10)
    assert any(p.uploaded_at > high for p in again)


def test_mid_stream_failure_raises_and_the_last_cursor_resumes_without_loss(demo, make, sleeps):
    bt = make(demo, page_size=1000, options={"max_retries": 1})
    all_ids = {p.vendor_id for p in everything(bt, "punches")[1]}
    saved, seen = None, set()
    stream = bt.read("punches")
    first = next(stream)
    saved, seen = first.cursor, {p.vendor_id for p in first.records}
    demo.faults.error_burst = 5

    with pytest.raises(errors.TransientError):
        for page in stream:
            saved = page.cursor
            seen |= {p.vendor_id for p in page.records}
    demo.faults.error_burst = 0
    seen |= {p.vendor_id for p in everything(bt, "punches", saved)[1]}

    assert seen == all_ids


def test_a_punch_uploaded_hours_late_is_caught_by_the_deep_reread(empty, make, clock):
    bt = make(empty)
    punched = int(clock.now().timestamp())
    empty.add_punch(
        "0042", terminal_id=1, state=0, at_ts=punched, upload_delay=3 * 3600
    )  # device offline
    cursor = None
    late_seen_at = None
    for step in range(12):  # an on-time punch every 20 minutes, a pull after each
        clock.advance(timedelta(minutes=20))
        empty.add_punch("0100", terminal_id=1, state=step % 2, upload_delay=5)
        clock.advance(10)
        pages, punches, _ = everything(bt, "punches", cursor)
        cursor = pages[-1].cursor
        if any(p.person_code == "0042" for p in punches) and late_seen_at is None:
            late_seen_at = clock.now()

    assert late_seen_at is not None and late_seen_at >= NOW + timedelta(hours=3)
    assert late_seen_at <= NOW + timedelta(hours=3) + bt.late_sweep_every + timedelta(minutes=21)


def test_without_the_deep_reread_the_same_late_punch_is_missed(empty, make, clock):
    bt = make(empty, late_sweep_every=timedelta(days=365))
    empty.add_punch(
        "0042", terminal_id=1, state=0, at_ts=int(clock.now().timestamp()), upload_delay=3 * 3600
    )
    empty.add_punch("0100", terminal_id=1, upload_delay=1)
    clock.advance(5)
    cursor = list(bt.read("punches"))[-1].cursor
    found = set()
    for _ in range(12):
        clock.advance(timedelta(minutes=20))
        empty.add_punch("0100", terminal_id=1, upload_delay=5)
        clock.advance(10)
        pages, punches, _ = everything(bt, "punches", cursor)
        cursor = pages[-1].cursor
        found |= {p.person_code for p in punches}

    assert "0042" not in found and len(empty.transactions) == 14


def test_a_late_upload_within_the_lookback_is_caught_on_every_pull(empty, make, clock):
    bt = make(empty, late_sweep_every=timedelta(days=365))
    empty.add_punch("0100", terminal_id=1, upload_delay=1)
    clock.advance(5)
    cursor = list(bt.read("punches"))[-1].cursor
    empty.add_punch(
        "0042", terminal_id=1, at_ts=int(NOW.timestamp()) - 300, upload_delay=310
    )  # 5 min late

    clock.advance(30)
    _, punches, _ = everything(bt, "punches", cursor)

    assert "0042" in {p.person_code for p in punches}


@pytest.mark.parametrize(("sweep_every", "caught"), [(None, True), (timedelta(days=365), False)])
def test_demo_offline_dock_punches_are_caught_after_it_comes_back(
    demo, make, clock, sweep_every, caught
):
    bt = make(demo, page_size=1000, late_sweep_every=sweep_every)
    cursor = list(bt.read("punches"))[-1].cursor
    dock_pending = demo.pending_uploads(terminal_id=5)
    ids = set()
    for _ in range(8):  # pull every 15 minutes until 14:40 Berlin; the dock is back at 13:45
        clock.advance(timedelta(minutes=15))
        pages, punches, _ = everything(bt, "punches", cursor)
        cursor = pages[-1].cursor
        ids |= {
            p.vendor_id
            for p in punches
            if p.device_id == "5" and p.occurred_at > NOW - timedelta(hours=2)
        }

    assert dock_pending > 0 and demo.pending_uploads(terminal_id=5) == 0
    assert (len(ids) >= dock_pending) is caught


# Friday 18:00 in Berlin; the warehouse terminal loses its network until Sunday 14:00.
FRIDAY_EVENING = datetime(2025, 3, 14, 17, 0, tzinfo=UTC)
SATURDAY_SHIFT = datetime(2025, 3, 15, 6, 0, tzinfo=UTC)  # 07:00 Berlin, Saturday overtime
BACK_ONLINE = SATURDAY_SHIFT + timedelta(hours=31)


def _weekend_outage(clock) -> BioTimeSimulator:
    clock.advance(FRIDAY_EVENING - clock.now())
    sim = BioTimeSimulator(clock=clock)
    sim.directory.add_terminal(Terminal(1, "ACEZ185060382", "Gate", "127.0.0.1", area_id=1))
    sim.directory.add_terminal(Terminal(2, "CQZ7231360005", "Warehouse", "127.0.0.2", area_id=1))
    sim.take_offline(2, int(FRIDAY_EVENING.timestamp()), int(BACK_ONLINE.timestamp()))
    sim.add_punch("0042", terminal_id=2, at_ts=int(SATURDAY_SHIFT.timestamp()))
    return sim


def _pull_every_20_minutes_until(sim, bt, clock, until):
    """Pull as the portal does, storing by transaction id; returns (stored, deliveries of each
    id, when the late punch first arrived)."""
    stored, deliveries, late_arrived, cursor = {}, {}, None, None
    while clock.now() < until:
        sim.add_punch("0100", terminal_id=1, upload_delay=5)
        clock.advance(10)
        pages, punches, _ = everything(bt, "punches", cursor)
        cursor = pages[-1].cursor
        for punch in punches:
            stored[punch.vendor_id] = punch
            deliveries.setdefault(punch.vendor_id, []).append(clock.now())
            if punch.person_code == "0042" and late_arrived is None:
                late_arrived = clock.now()
        clock.advance(timedelta(minutes=20) - timedelta(seconds=10))
    return stored, deliveries, late_arrived


def test_a_punch_uploaded_31_hours_late_arrives_with_the_daily_wide_sweep_once(clock, make):
    sim = _weekend_outage(clock)
    bt = make(sim)

    stored, deliveries, arrived = _pull_every_20_minutes_until(
        sim, bt, clock, BACK_ONLINE + timedelta(days=1, hours=1)
    )

    [late] = [p for p in stored.values() if p.person_code == "0042"]
    assert late.occurred_at == SATURDAY_SHIFT
    assert late.uploaded_at - late.occurred_at >= timedelta(hours=31)
    assert BACK_ONLINE <= arrived <= BACK_ONLINE + bt.wide_sweep_every + timedelta(minutes=21)
    assert len(stored) == len(sim.transactions)  # every punch, each stored once
    assert len(deliveries[late.vendor_id]) == 1  # the deep re-reads (24 h) never reach it


def test_without_the_wide_sweep_the_31_hour_late_punch_is_missed(clock, make):
    sim = _weekend_outage(clock)
    bt = make(sim, wide_sweep_every=timedelta(days=365))

    stored, _, arrived = _pull_every_20_minutes_until(
        sim, bt, clock, BACK_ONLINE + timedelta(days=1, hours=1)
    )

    assert arrived is None and len(stored) == len(sim.transactions) - 1


def test_the_wide_sweep_reaches_back_the_configured_days(clock, make):
    sim = _weekend_outage(clock)
    short = make(sim, credentials=sim.credentials() | {"late_upload_sweep_days": "1"})

    _, _, arrived = _pull_every_20_minutes_until(
        sim, short, clock, BACK_ONLINE + timedelta(days=1, hours=1)
    )

    assert short.wide_window == timedelta(days=1) and arrived is None
    assert make(sim).wide_window == timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "a week", "-3", "1000"])
def test_a_bad_sweep_days_option_is_a_validation_error(empty, make, days):
    with pytest.raises(errors.ValidationError) as raised:
        make(empty, credentials=empty.credentials() | {"late_upload_sweep_days": days})

    assert raised.value.field == "late_upload_sweep_days"


def test_a_cursor_from_before_wide_sweeps_gets_one_on_its_next_pull(demo, make):
    bt = make(demo, page_size=1000)
    full = list(bt.read("punches"))[-1].cursor
    old_style = full.split(";wide=")[0]

    _, short, _ = everything(bt, "punches", full)
    pages, wide, _ = everything(bt, "punches", old_style)

    assert ";wide=" in full and ";wide=" in pages[-1].cursor
    assert len(wide) > 10 * max(len(short), 1)


@pytest.mark.parametrize(
    ("text", "upload"),
    [
        ("2025-03-12T11:40:05Z", datetime(2025, 3, 12, 11, 40, 5, tzinfo=UTC)),
        ("2025-03-12 12:40:05", datetime(2025, 3, 12, 11, 40, 5, tzinfo=UTC)),  # Berlin local text
        (
            "2025-03-12T11:40:05Z;swept=2025-03-12T11:00:00Z",
            datetime(2025, 3, 12, 11, 40, 5, tzinfo=UTC),
        ),
    ],
)
def test_cursor_text_forms(text, upload):
    assert PunchCursor.loads(text, BERLIN).upload == upload


def test_cursor_keeps_both_sweep_marks():
    upload = datetime(2025, 3, 12, 11, 40, 5, tzinfo=UTC)
    cursor = PunchCursor(upload, upload - timedelta(hours=1), upload - timedelta(hours=20))

    text = cursor.dumps()

    assert text.endswith(";swept=2025-03-12T10:40:05Z;wide=2025-03-11T15:40:05Z")
    assert PunchCursor.loads(text, BERLIN) == cursor


def test_unreadable_cursor_is_a_validation_error(demo, make):
    with pytest.raises(errors.ValidationError):
        everything(make(demo), "punches", "yesterday")


# -- people writes -----------------------------------------------------------------------------------
def test_find_person_matches_the_code_exactly_with_leading_zeros(empty, make):
    bt = make(empty)
    bt.create_person(person("007"))
    bt.create_person(person("7", email="seven@example.com"))

    assert bt.find_person("007").code == "007"
    assert bt.find_person("7").email == "seven@example.com"
    assert bt.find_person("0007") is None


def test_create_resolves_department_areas_and_position_by_name(demo, make):
    bt = make(demo)

    created = bt.create_person(
        person(
            "09999",
            department_name="finance",
            position_name="Accountant",
            site_ids=("Bremen Warehouse", "HAM"),
            hire_date=date(2024, 5, 1),
            phone="+49 1",
        )
    )

    assert created.department_name == "Finance" and created.position_name == "Accountant"
    assert created.site_ids == ("3", "2") and created.hire_date == date(2024, 5, 1)
    assert created.phone == "+49 1" and created.active
    assert bt.find_person("09999") == created


def test_create_with_an_unknown_department_uses_the_default_and_says_so(demo, make, caplog):
    bt = make(demo)

    created = bt.create_person(
        person(
            "09998", department_name="Moon Base", site_ids=("Atlantis",), position_name="Astronaut"
        )
    )

    assert created.department_id == "1" and created.department_name == "Department"
    assert created.site_ids == ("1",) and created.position_id is None
    assert "default department" in caplog.text and "Moon Base" in caplog.text


def test_create_twice_is_a_conflict(empty, make):
    bt = make(empty)
    bt.create_person(person())

    with pytest.raises(errors.ConflictError) as caught:
        bt.create_person(person())

    assert caught.value.field == "emp_code"


def test_invalid_data_names_the_field(empty, make):
    with pytest.raises(errors.ValidationError) as caught:
        make(empty).create_person(person(email="not-an-address"))

    assert caught.value.field == "email" and not isinstance(caught.value, errors.ConflictError)


def test_update_changes_fields_and_leaves_unknown_references_alone(demo, make):
    bt = make(demo)
    found = bt.find_person(demo.directory.employees[1].emp_code)

    updated = bt.update_person(
        found.vendor_id,
        PersonRecord(
            vendor_id=found.vendor_id,
            code=found.code,
            first_name="Vera-Maria",
            last_name=found.last_name,
            email=found.email,
            department_name="No Such Department",
            site_ids=found.site_ids,
        ),
    )

    assert updated.first_name == "Vera-Maria"
    assert updated.department_id == found.department_id and updated.position_id == found.position_id


def test_terminate_then_rehire(empty, make):
    bt = make(empty)
    created = bt.create_person(person())

    bt.terminate_person(created.vendor_id, date(2025, 3, 31), "Moved away")
    bt.terminate_person(created.vendor_id, date(2025, 3, 31), "again")  # already resigned: done
    gone = bt.find_person("0042")
    _, people, _ = everything(bt, "people")
    back = bt.rehire_person(
        created.vendor_id, PersonRecord(**{**created.__dict__, "first_name": "Augusta"})
    )

    assert not gone.active and gone.terminated_on == date(2025, 3, 31)
    assert [(p.code, p.active) for p in people] == [("0042", False)]
    assert back.active and back.first_name == "Augusta"
    assert bt.find_person("0042").active and not empty.directory.resigns


def test_terminate_an_unknown_employee_is_not_found(empty, make):
    with pytest.raises(errors.NotFoundError):
        make(empty).terminate_person("999", date(2025, 1, 1))


def test_delete_person_is_idempotent(empty, make):
    bt = make(empty)
    created = bt.create_person(person())

    assert bt.delete_person(created.vendor_id) is True
    assert bt.delete_person(created.vendor_id) is False
    assert bt.find_person("0042") is None


# -- tree writes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["department", "position", "site"])
def test_tree_create_update_delete(empty, make, kind):
    bt = make(empty)
    create, update, delete = (
        getattr(bt, f"{verb}_{kind}") for verb in ("create", "update", "delete")
    )

    root = create("Root", "R1")
    child = create("Child", "C1", parent_id=root.vendor_id)
    renamed = update(child.vendor_id, name="Child 2")
    moved = update(child.vendor_id, parent_id=None)
    with pytest.raises(errors.ConflictError):
        create("Again", "R1")

    assert renamed.name == "Child 2" and renamed.code == "C1"
    if kind != "site":
        assert child.parent_id == root.vendor_id and moved.parent_id is None
    assert delete(child.vendor_id) is True and delete(child.vendor_id) is False


def test_deleting_a_department_in_use_is_refused(empty, make):
    bt = make(empty)
    department = bt.create_department("Nine", "9")
    bt.create_person(person(department_id=department.vendor_id))

    with pytest.raises(errors.ValidationError, match="still has employees"):
        bt.delete_department(department.vendor_id)


def test_get_person_reads_by_id_and_sees_the_resignation(empty, make):
    bt = make(empty)
    created = bt.create_person(person())

    assert bt.get_person(created.vendor_id).active is True
    bt.terminate_person(created.vendor_id, date(2025, 3, 31), "Moved away")
    gone = bt.get_person(created.vendor_id)  # the list hides resigned people; the id does not
    bt.rehire_person(created.vendor_id, created)

    assert (gone.code, gone.active, gone.terminated_on) == ("0042", False, date(2025, 3, 31))
    assert bt.get_person(created.vendor_id).active is True
    assert bt.get_person("999") is None


def test_person_writes_list_the_trees_once_and_again_for_a_name_not_in_them(demo, make):
    bt = make(demo)
    ada = bt.create_person(person("09997", department_name="Finance", position_name="Accountant"))
    for name in ("Lovelace-King", "King"):
        bt.update_person(ada.vendor_id, person("09997", last_name=name, department_name="Finance"))
        bt.get_person(ada.vendor_id)
    listings = [path for method, path, _ in bt.http_log.log if path.endswith("/departments/")]
    assert len(listings) == 1  # one listing served the create, both updates and both reads

    console = make(demo)  # someone adds a department in BioTime's console meanwhile
    console.create_department("Research", "R1")
    moved = bt.update_person(ada.vendor_id, person("09997", department_name="Research"))

    assert moved.department_name == "Research"


# -- several people read together (a push batch) --------------------------------------------------
def resign_reads(bt) -> list:
    return [
        (m, path) for m, path, _ in bt.http_log.log if m == "GET" and path.endswith("/resigns/")
    ]


def test_people_read_together_list_the_resignations_once(demo, make):
    bt = make(demo)
    bt.server_capabilities()  # probed once for the connector's life, not part of the read
    resigned = {str(r.employee_id): r for r in demo.directory.resigns.values()}
    active = [str(pk) for pk in sorted(demo.directory.employees) if str(pk) not in resigned][:3]
    before = len(bt.http_log.log)

    found = bt.get_people([*active, *resigned, "999"])

    seen = [path for _, path, _ in bt.http_log.log[before:]]
    assert len(resign_reads(bt)) == 2  # the probe, then the one list
    # the employee list (one page), then by id those it does not show: resigned, or gone
    assert seen.count("/personnel/api/employees/") == 1
    assert sum("/employees/" in path for path in seen) == 1 + len(resigned) + 1
    assert all(found[pk].active for pk in active) and found["999"] is None
    for pk, resign in resigned.items():
        assert not found[pk].active and found[pk].terminated_on.isoformat() == resign.resign_date
    # the same as read one by one (the list's row nests what the object's names by id)
    assert replace(found[active[0]], raw={}) == replace(bt.get_person(active[0]), raw={})


def test_a_long_resignation_list_is_asked_per_employee_instead(empty, make):
    bt = make(empty, page_size=1)
    people = [bt.create_person(person(f"00{n}", email=f"p{n}@example.com")) for n in range(5)]
    for gone in people[1:]:
        bt.terminate_person(gone.vendor_id, date(2025, 3, 31))
    asked = [people[0].vendor_id, people[1].vendor_id]
    bt.server_capabilities()
    before = len(resign_reads(bt))

    found = bt.get_people(asked)

    # the first page says 4 pages in all: two filtered reads are fewer than 3 more pages
    assert len(resign_reads(bt)) - before == 1 + 2
    assert found[asked[0]].active and not found[asked[1]].active


def test_people_read_together_without_the_resign_api(build_80, make):
    bt = make(build_80)
    ids = [str(pk) for pk in sorted(build_80.directory.employees)[:3]]

    found = bt.get_people(ids)

    assert all(found[pk].active for pk in ids)
    assert bt.http_log.statuses("/resigns/") == [404]  # the probe alone


def employee_reads(bt, since: int = 0) -> tuple[int, list[str]]:
    """(reads of the employee list, employees read by id) since log entry ``since``."""
    paths = [path for m, path, _ in bt.http_log.log[since:] if m == "GET"]
    listed = paths.count("/personnel/api/employees/")
    one_by_one = [
        p.split("/")[-2] for p in paths if re.fullmatch(r"/personnel/api/employees/\d+/", p)
    ]
    return listed, one_by_one


def test_people_read_from_the_employee_list_are_mapped_as_read_one_by_one(demo, make):
    bt = make(demo)
    ids = [str(pk) for pk in demo.directory.active_employee_ids()[:40]]

    found = bt.get_people(ids)

    assert employee_reads(bt) == (1, [])  # one page of the list instead of 40 reads
    alone = make(demo)
    for vendor_id in ids:
        assert replace(found[vendor_id], raw={}) == replace(alone.get_person(vendor_id), raw={})
    assert employee_reads(alone)[0] == 0


def test_people_the_list_does_not_show_are_read_by_id_resigned_or_gone(demo, make):
    bt = make(demo)
    active = [str(pk) for pk in demo.directory.active_employee_ids()]
    gone = active.pop()
    demo.directory.delete_employee(int(gone))
    resign = next(iter(demo.directory.resigns.values()))
    resigned = str(resign.employee_id)

    found = bt.get_people([*active[:5], resigned, gone])

    assert employee_reads(bt) == (1, [resigned, gone])
    assert found[gone] is None
    assert not found[resigned].active
    assert found[resigned].terminated_on.isoformat() == resign.resign_date
    assert all(found[pk].active for pk in active[:5])


def test_the_employee_list_is_paged_only_while_that_is_fewer_requests(demo, make):
    bt = make(demo)
    bt.people_list_page = 50  # 258 employees listed: 6 pages
    active = [str(pk) for pk in demo.directory.active_employee_ids()]

    # 2 on page 1, 6 on page 2, 1 on page 5: after page 2, four more pages for one employee
    # are not worth it
    wanted = [*active[:2], *active[50:56], active[210]]
    found = bt.get_people(wanted)
    assert employee_reads(bt) == (2, [active[210]])
    assert list(found) == wanted and all(found[pk].active for pk in wanted)

    # two on the last page: the list's 6 pages would be more requests than reading two by id
    since = len(bt.http_log.log)
    found = bt.get_people([active[-1], active[-2]])
    assert employee_reads(bt, since) == (0, [active[-1], active[-2]])

    fresh = make(demo)  # a new connector does not know the list's size: its first page tells
    fresh.people_list_page = 50
    assert fresh.get_people([active[-1], active[-2]]) == found
    assert employee_reads(fresh) == (1, [active[-1], active[-2]])


def test_a_server_that_caps_the_page_size_is_paged_as_it_answers(demo, make):
    demo.max_page_size = 100  # asked for 1000 a page, it sends 100
    bt = make(demo)
    active = [str(pk) for pk in demo.directory.active_employee_ids()]

    # after page 1 (100 rows, not 1000), two pages are left for two employees: read by id
    found = bt.get_people([active[0], active[250], active[251]])

    assert employee_reads(bt) == (1, [active[250], active[251]])
    assert all(found[pk].active for pk in found)


def test_a_list_that_repeats_a_page_leaves_the_rest_to_reads_by_id(demo, make):
    demo.vendor_faults.repeat_page = 1
    bt = make(demo)
    bt.people_list_page = 50
    active = [str(pk) for pk in demo.directory.active_employee_ids()]
    wanted = [active[0], *active[50:60]]  # page 2 is worth reading: its "next" is page 1 again

    found = bt.get_people(wanted)

    assert employee_reads(bt) == (1, active[50:60])
    assert list(found) == wanted and all(found[pk].active for pk in wanted)
