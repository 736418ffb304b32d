"""The Zeitstrom connector against its simulator, over HTTP in-process (``sim.transport()``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors import errors
from connectors.client import ClientOptions
from connectors.registry import connector_class
from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve
from connectors.zeitstrom.connector import ZeitstromConnector
from connectors.zeitstrom.simulator import ZeitstromSimulator
from connectors.zeitstrom.simulator.records import Employee

WEDNESDAY_MORNING = datetime(2030, 3, 13, 9, 30, tzinfo=UTC)
DOC_EMPLOYEE = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"  # the document's example id
DOC_CHECKIN = datetime(2024, 6, 20, 8, 0, tzinfo=UTC)
DOC_CHECKOUT = datetime(2024, 6, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return SimClock(WEDNESDAY_MORNING, frozen=True)


@pytest.fixture
def sim(clock):
    sim = ZeitstromSimulator.demo(clock=clock)
    created = clock.now() - timedelta(days=400)
    elon = Employee(
        DOC_EMPLOYEE, created, created, "Elon", "Musk", "elon@example.com", None, "12345"
    )
    sim.add_employee(elon)
    return sim


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make(sim, sleeps, clock):
    def make(**options):
        options.setdefault("page_size", 1000)
        return ZeitstromConnector(
            "http://sim.test",
            sim.credentials(),
            ClientOptions(**options),
            transport=sim.transport(),
            sleep=sleeps.append,
            clock=lambda: clock.now().timestamp(),
        )

    return make


@pytest.fixture
def zs(make):
    return make()


def everything(connector, stream, cursor=None):
    pages = list(connector.read(stream, cursor))
    records = [r for p in pages for r in p.records]
    skipped = [s for p in pages for s in p.skipped]
    return pages, records, skipped


# -- identity and capabilities ----------------------------------------------------------------
def test_registry_finds_the_connector_and_capabilities_exclude_people_writes():
    cls = connector_class("zeitstrom")

    assert cls is ZeitstromConnector
    assert cls.capabilities.reads == {"people", "time_cards"}
    assert cls.capabilities.writes == {"punches"} and not cls.capabilities.can("writes", "people")


def test_check_reports_the_server_and_its_employee_count(zs, sim):
    identity = zs.check()

    assert identity.vendor == "Zeitstrom" and identity.server == "http://sim.test"
    assert identity.details["employees"] == len(sim.employees)


def test_missing_token_is_an_authentication_error_before_any_request(sim):
    with pytest.raises(errors.AuthenticationError):
        ZeitstromConnector("http://sim.test", {}, transport=sim.transport())
    assert sim.requests_served == 0


def test_stream_outside_capabilities_is_refused(zs):
    with pytest.raises(errors.PermissionDeniedError):
        zs.read("doors")


# -- people -----------------------------------------------------------------------------------
def test_read_people_pages_through_every_employee_with_token_auth_and_slashes(make, sim):
    zs = make(page_size=7)

    pages, people, skipped = everything(zs, "people")

    assert {p.vendor_id for p in people} == set(sim.employees) and not skipped
    assert len(pages) == -(-len(sim.employees) // 7)
    assert all(path.endswith("/") for _, path in sim.request_log)


def test_people_map_accounting_number_names_and_archived_as_inactive(zs, sim):
    _, people, _ = everything(zs, "people")

    by_id = {p.vendor_id: p for p in people}
    for employee in sim.employees.values():
        person = by_id[employee.id]
        assert person.code == employee.accounting_number
        assert (person.first_name, person.last_name, person.email) == (
            employee.first_name,
            employee.last_name,
            employee.email,
        )
        assert person.active is (employee.archived_at is None)
        if employee.archived_at:
            assert person.terminated_on == employee.archived_at.date()
    assert any(not p.active for p in people)


def test_people_cursor_rereads_only_changes_with_an_overlap(zs, sim, clock):
    pages, _, _ = everything(zs, "people")
    cursor = pages[-1].cursor
    clock.advance(timedelta(hours=1))
    changed = next(iter(sim.employees.values()))
    changed.first_name, changed.modified_at = "Renamed", clock.now()

    _, again, _ = everything(zs, "people", cursor)

    assert [p.first_name for p in again if p.vendor_id == changed.id] == ["Renamed"]
    since = datetime.fromisoformat(json.loads(cursor)["high"]) - ZeitstromConnector.LOOKBACK
    expected = {e.id for e in sim.employees.values() if e.modified_at >= since}
    assert {p.vendor_id for p in again} == expected and len(expected) < len(sim.employees) / 2


def test_people_mid_listing_cursor_resumes_without_gaps(make, sim):
    first = next(make(page_size=10).read("people"))

    _, rest, _ = everything(make(page_size=10), "people", first.cursor)

    assert {p.vendor_id for p in first.records} | {p.vendor_id for p in rest} == set(sim.employees)
    assert json.loads(first.cursor)["offset"] == 10


def test_row_vanishing_mid_paging_is_not_skipped(make, sim):
    sim.vendor_faults.row_vanishes_after_page = True
    zs = make(page_size=10)

    _, people, _ = everything(zs, "people")

    assert set(sim.employees) <= {p.vendor_id for p in people}  # the deleted one may come too


def test_find_person_by_accounting_number_then_external_id(zs, sim):
    lohn = next(e for e in sim.employees.values() if (e.external_id or "").startswith("LOHN-"))

    assert zs.find_person("12345").vendor_id == DOC_EMPLOYEE
    assert zs.find_person(lohn.external_id).vendor_id == lohn.id
    assert zs.find_person("no-such-code") is None


def test_archived_employees_hidden_from_lists_are_still_found_by_id(zs, sim):
    sim.quirks.archived_in_list = False
    archived = next(e for e in sim.employees.values() if e.archived_at)

    _, people, _ = everything(zs, "people")
    person = zs.get_person(archived.id)

    assert archived.id not in {p.vendor_id for p in people}
    assert person.vendor_id == archived.id and person.active is False
    assert zs.get_person("00000000-0000-4000-8000-000000000000") is None


def test_server_zone_offsets_and_utc_render_the_same_instants(zs, sim):
    _, with_offsets, _ = everything(zs, "time_cards")
    sim.quirks.local_time_offsets = False
    _, in_utc, _ = everything(zs, "time_cards")

    assert [(c.vendor_id, c.clock_in, c.clock_out) for c in with_offsets] == [
        (c.vendor_id, c.clock_in, c.clock_out) for c in in_utc
    ]
    assert with_offsets[0].clock_in.tzinfo is UTC
    assert "+01:00" in with_offsets[0].raw["checkin_time"]
    assert in_utc[0].raw["checkin_time"].endswith("Z")


# -- time cards -------------------------------------------------------------------------------
def test_time_cards_map_open_and_closed_sessions(zs, sim):
    _, cards, skipped = everything(zs, "time_cards")

    assert len(cards) == len(sim.timespans) and not skipped
    closed = [c for c in cards if c.clock_out]
    still_in = [c for c in cards if c.clock_out is None]
    assert still_in and all(c.hours is None for c in still_in)
    card = closed[0]
    assert card.entry_type == "job"
    assert card.hours == pytest.approx((card.clock_out - card.clock_in).total_seconds() / 3600)
    assert card.hours * 3600 == card.raw["duration"]


def test_time_card_cursor_brings_a_session_back_when_it_closes(zs, clock):
    cursor = list(zs.read("time_cards"))[-1].cursor
    clock.advance(timedelta(minutes=1))
    zs.push_punch(DOC_EMPLOYEE, clock.now(), "in")
    _, opened, _ = everything(zs, "time_cards", cursor)
    cursor = list(zs.read("time_cards", cursor))[-1].cursor
    clock.advance(timedelta(hours=8))
    zs.push_punch(DOC_EMPLOYEE, clock.now(), "out")

    _, closed, _ = everything(zs, "time_cards", cursor)

    mine_open = [c for c in opened if c.person_id == DOC_EMPLOYEE]
    mine_closed = [c for c in closed if c.person_id == DOC_EMPLOYEE]
    assert [c.clock_out for c in mine_open] == [None]
    assert [c.vendor_id for c in mine_closed] == [mine_open[0].vendor_id]
    assert mine_closed[0].hours == pytest.approx(8)


def test_large_history_streams_page_by_page_and_resumes_mid_listing(clock, sleeps):
    big = ZeitstromSimulator.large(employees=200, timespans=200_000, clock=clock)
    zs = ZeitstromConnector(
        "http://sim.test",
        big.credentials(),
        ClientOptions(page_size=1000),
        transport=big.transport(),
        sleep=sleeps.append,
        clock=lambda: clock.now().timestamp(),
    )

    stream = zs.read("time_cards")
    first, second = next(stream), next(stream)
    served = big.requests_served
    resumed = next(zs.read("time_cards", second.cursor))

    assert served == 2 and len(first.records) == len(second.records) == 1000
    assert resumed.records[0].vendor_id == second.records[0].vendor_id  # its last page comes again


# -- the real timespans list: daterange, verbosity, envelopes without links ------------------
TODAY = WEDNESDAY_MORNING.date()


@pytest.fixture
def urls(sim):
    """Every URL the connector asks for, then the simulator's answer."""
    return []


@pytest.fixture
def recorded(sim, urls, clock):
    inner = sim.transport()

    def record(request):
        urls.append(request.url)
        response = inner.handle_request(request)
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.read()
        )

    def make(**options):
        options.setdefault("page_size", 1000)
        return ZeitstromConnector(
            "http://sim.test",
            sim.credentials(),
            ClientOptions(**options),
            transport=httpx.MockTransport(record),
            clock=lambda: clock.now().timestamp(),
        )

    return make


def timespan_queries(urls):
    return [dict(u.params) for u in urls if u.path == TIMESPANS_PATH]


TIMESPANS_PATH = "/api/v2/timestamps/timespans/"


def test_time_cards_come_from_the_real_path_by_daterange_in_detail(recorded, sim, urls):
    _, cards, skipped = everything(recorded(), "time_cards")

    queries = timespan_queries(urls)
    query = queries[0]
    assert all(q["daterange"] == query["daterange"] for q in queries)
    assert query["daterange"] == f"2000-01-01|{TODAY + timedelta(days=2)}"
    assert query["verbosity"] == "detail" and not skipped
    assert {c.vendor_id for c in cards} == set(sim.timespans.by_id)
    assert all(c.person_id == sim.timespans.by_id[c.vendor_id].employee_id for c in cards)


def test_next_pull_reaches_back_two_days_or_to_the_oldest_open_session(recorded, urls, clock):
    zs = recorded()
    zs.push_punch(DOC_EMPLOYEE, clock.now() - timedelta(days=5), "in")  # left open
    cursor = list(zs.read("time_cards"))[-1].cursor
    zs.push_punch(DOC_EMPLOYEE, clock.now(), "out")
    urls.clear()

    pages, again, _ = everything(zs, "time_cards", cursor)
    second_start = timespan_queries(urls)[0]["daterange"].split("|")[0]
    urls.clear()
    _, third, _ = everything(zs, "time_cards", pages[-1].cursor)
    third_start = timespan_queries(urls)[0]["daterange"].split("|")[0]

    assert second_start == str(TODAY - timedelta(days=6))  # the open session's day, less one
    mine = [c for c in again if c.person_id == DOC_EMPLOYEE]
    assert [c.clock_out for c in mine] == [clock.now()]  # closed after five days, caught
    assert second_start < third_start <= str(TODAY - timedelta(days=2)) and third


@pytest.mark.parametrize("stream", ["people", "time_cards"])
def test_an_envelope_without_next_and_previous_is_paged_by_count(recorded, sim, stream):
    sim.quirks.envelope_without_links = True
    expected = set(sim.employees) if stream == "people" else set(sim.timespans.by_id)

    pages, found, _ = everything(recorded(page_size=50), stream)

    assert len(pages) >= 2
    assert {r.vendor_id for r in found} == expected and len(found) == len(expected)


def test_an_envelope_without_links_resumes_mid_listing(recorded, sim):
    sim.quirks.envelope_without_links = True
    first = next(recorded(page_size=50).read("time_cards"))

    _, rest, _ = everything(recorded(page_size=50), "time_cards", first.cursor)

    ids = {c.vendor_id for c in first.records} | {c.vendor_id for c in rest}
    assert ids == set(sim.timespans.by_id)


def test_detail_rows_without_the_employee_are_read_one_employee_at_a_time(recorded, sim, urls):
    sim.quirks.detail_without_employee = True
    zs = recorded()

    _, cards, skipped = everything(zs, "time_cards")
    asked = len(urls)
    _, again, _ = everything(zs, "time_cards")

    assert not skipped and {c.vendor_id for c in cards} == set(sim.timespans.by_id)
    assert all(c.person_id == sim.timespans.by_id[c.vendor_id].employee_id for c in cards)
    later = timespan_queries(urls[asked:])
    assert later and all("employee_ids" in q for q in later)  # learnt once: no mixed list again
    assert len(again) == len(cards)


def test_one_employee_at_a_time_resumes_where_it_stopped(recorded, sim):
    sim.quirks.detail_without_employee = True
    pages = recorded(page_size=5).read("time_cards")
    taken = [next(pages) for _ in range(12)]
    cursor = taken[-1].cursor

    _, rest, _ = everything(recorded(page_size=5), "time_cards", cursor)

    assert json.loads(cursor)["listing"]["employee"]
    ids = {c.vendor_id for p in taken for c in p.records} | {c.vendor_id for c in rest}
    assert ids == set(sim.timespans.by_id)


def test_a_lost_check_out_answer_is_found_again_when_rows_lack_the_employee(zs, sim):
    sim.quirks.detail_without_employee = True
    first = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKOUT, "out")

    again = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKOUT, "out")

    assert again.vendor_id == first.vendor_id.replace(":checkin", ":checkout")


# -- punches ----------------------------------------------------------------------------------
def test_push_punch_doc_example_checks_in_and_out(zs, sim):
    checked_in = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")
    checked_out = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKOUT, "out")

    stamps = sim.app_timestamps[-2:]
    assert [(s.intent, s.time) for s in stamps] == [
        ("checkin", DOC_CHECKIN),
        ("checkout", DOC_CHECKOUT),
    ]
    assert checked_in.occurred_at == DOC_CHECKIN and checked_in.direction == "in"
    assert checked_in.person_id == DOC_EMPLOYEE and checked_in.vendor_id.endswith(":checkin")
    span = sim.timespans.by_id[stamps[0].timespan_id]
    assert span.duration == 9 * 3600 and checked_out.vendor_id == f"{span.id}:checkout"


def test_push_punch_replayed_after_a_lost_answer_returns_the_same_session(zs, sim):
    first = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")
    again = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKOUT, "out")
    out_again = zs.push_punch(DOC_EMPLOYEE, DOC_CHECKOUT, "out")

    assert again.vendor_id == first.vendor_id and again.occurred_at == DOC_CHECKIN
    assert out_again.vendor_id == first.vendor_id.replace(":checkin", ":checkout")
    assert len(sim.app_timestamps) == 2


def test_push_punch_conflicting_state_with_another_time_is_a_conflict(zs):
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")

    with pytest.raises(errors.ConflictError) as raised:
        zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN + timedelta(hours=1), "in")

    assert raised.value.field == "non_field_errors" and "already checked in" in raised.value.message


def test_checkout_before_checkin_is_a_non_field_validation_error(zs):
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")

    with pytest.raises(errors.ValidationError) as raised:
        zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN - timedelta(hours=1), "out")

    assert not isinstance(raised.value, errors.ConflictError)
    assert raised.value.field == "non_field_errors"
    assert raised.value.message == "The checkout time must be after the checkin time."


def test_unknown_employee_is_a_field_validation_error(zs):
    with pytest.raises(errors.ValidationError) as raised:
        zs.push_punch("00000000-0000-4000-8000-000000000000", DOC_CHECKIN, "in")

    assert raised.value.field == "employee_id" and raised.value.status_code == 400


def test_archived_employee_cannot_be_checked_in(zs, sim):
    archived = next(e for e in sim.employees.values() if e.archived_at)

    with pytest.raises(errors.ValidationError, match="archived"):
        zs.push_punch(archived.id, DOC_CHECKIN, "in")


def test_punch_direction_zeitstrom_cannot_take_is_refused_before_sending(zs, sim):
    with pytest.raises(errors.ValidationError) as raised:
        zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "unknown")

    assert raised.value.field == "direction" and sim.requests_served == 0


def test_break_out_and_in_end_and_start_sessions(zs, sim):
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN, "in")
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN + timedelta(hours=4), "break_out")
    zs.push_punch(DOC_EMPLOYEE, DOC_CHECKIN + timedelta(hours=5), "break_in")

    assert [s.intent for s in sim.app_timestamps[-3:]] == ["checkin", "checkout", "checkin"]


def test_naive_punch_time_is_read_in_the_account_zone(make, sim):
    zs = make(time_zone="Europe/Berlin")

    punch = zs.push_punch(DOC_EMPLOYEE, datetime(2024, 6, 20, 10, 0), "in")

    assert punch.occurred_at == DOC_CHECKIN and sim.app_timestamps[-1].time == DOC_CHECKIN


# -- auth, rate limits and faults -------------------------------------------------------------
def test_revoked_token_is_an_authentication_error_sent_once(zs, sim):
    sim.rotate_token()
    before = sim.requests_served

    with pytest.raises(errors.AuthenticationError, match="Invalid token"):
        zs.check()

    assert sim.requests_served == before + 1


def test_rate_limit_waits_exactly_retry_after_then_succeeds(sim, clock):
    sim.rate_limit = (2, 60.0)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds)

    zs = ZeitstromConnector(
        "http://sim.test",
        sim.credentials(),
        ClientOptions(page_size=10),
        transport=sim.transport(),
        sleep=sleep,
    )
    _, people, _ = everything(zs, "people")

    assert len(people) == len(sim.employees)
    assert slept and all(s == 60 for s in slept)


def test_throttle_fault_is_retried_after_retry_after(zs, sim, sleeps):
    sim.vendor_faults.throttle_next, sim.vendor_faults.throttle_wait = 2, 7

    assert zs.check().vendor == "Zeitstrom"
    assert sleeps == [7, 7]


def test_endless_throttling_ends_in_rate_limit_error_with_retry_after(make, sim, sleeps):
    sim.vendor_faults.throttle_next = 10
    zs = make(max_retries=2)

    with pytest.raises(errors.RateLimitError) as raised:
        zs.check()

    assert raised.value.retry_after == 30 and len(sleeps) == 2


def test_html_server_error_page_is_retried_then_succeeds(zs, sim, sleeps):
    sim.vendor_faults.html_error_next = 2

    assert zs.check().details["employees"] == len(sim.employees)
    assert len(sleeps) == 2


def test_html_server_errors_without_end_are_a_transient_error(make, sim):
    sim.vendor_faults.html_error_next = 10

    with pytest.raises(errors.TransientError, match="HTML error page"):
        make(max_retries=1).check()


@pytest.mark.parametrize("fault", ["error_burst", "timeouts", "drops"])
def test_kit_faults_are_retried_then_the_read_completes(make, sim, sleeps, fault):
    setattr(sim.faults, fault, 3)

    _, people, _ = everything(make(), "people")

    assert len(people) == len(sim.employees) and len(sleeps) == 3


@pytest.mark.parametrize("fault", ["error_burst", "timeouts", "drops"])
def test_kit_faults_beyond_the_retry_budget_raise_transient_error(make, sim, fault):
    setattr(sim.faults, fault, 5)

    with pytest.raises(errors.TransientError):
        make(max_retries=2).check()
    assert not isinstance(errors.TransientError("x"), errors.RateLimitError)


def test_latency_only_slows_answers(make, sim):
    sim.faults.latency = 0.01

    assert make().check().vendor == "Zeitstrom"


def test_missing_trailing_slash_redirect_is_a_protocol_error_or_a_404(zs, sim):
    with pytest.raises(errors.ProtocolError, match="redirected"):
        zs.client.request("GET", "/api/v2/employees/employees")
    sim.quirks.append_slash_redirect = False
    with pytest.raises(errors.NotFoundError, match="no API"):
        zs.client.request("GET", "/api/v2/employees/employees")


def test_wrong_base_address_answers_html_404_as_not_found(sim):
    zs = ZeitstromConnector(
        "http://sim.test/zeitstrom", sim.credentials(), transport=sim.transport()
    )

    with pytest.raises(errors.NotFoundError, match="check the server address"):
        zs.check()


def test_a_next_link_that_repeats_is_a_protocol_error(sim):
    inner = sim.transport()

    def loop_forever(request):
        response = inner.handle_request(request)
        body = json.loads(response.read())
        if "next" in body:
            body["next"] = str(request.url.copy_set_param("offset", "0"))  # always page one
        return httpx.Response(response.status_code, json=body)

    zs = ZeitstromConnector(
        "http://sim.test",
        sim.credentials(),
        ClientOptions(page_size=10),
        transport=httpx.MockTransport(loop_forever),
    )

    with pytest.raises(errors.ProtocolError, match="same page twice"):
        list(zs.read("people"))


def test_next_link_host_is_ignored_in_favour_of_the_configured_address(sim):
    inner = sim.transport()

    def inner_host_links(request):
        response = inner.handle_request(request)
        body = json.loads(response.read())
        if body.get("next"):
            body["next"] = body["next"].replace("http://sim.test", "http://10.0.0.7:8000")
        return httpx.Response(response.status_code, json=body)

    zs = ZeitstromConnector(
        "http://sim.test",
        sim.credentials(),
        ClientOptions(page_size=10),
        transport=httpx.MockTransport(inner_host_links),
    )

    _, people, _ = everything(zs, "people")

    assert len(people) == len(sim.employees)


def test_works_over_real_loopback(sim):
    running = serve(sim)
    try:
        with ZeitstromConnector(running.base_url, sim.credentials()) as zs:
            identity = zs.check()
    finally:
        running.server.shutdown()

    assert identity.details["employees"] == len(sim.employees)
