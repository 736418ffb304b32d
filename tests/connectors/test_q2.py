"""The OpenTimeClock Q2 connector against its simulator, over HTTP in-process."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors import errors
from connectors.client import ClientOptions
from connectors.q2.client import QUERY_USERS
from connectors.q2.connector import Q2Connector, Q2Cursor
from connectors.q2.simulator import Q2Simulator
from connectors.q2.simulator.records import ADDITION, JOB, PTO, TimeCard
from connectors.registry import connector_class
from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve

WEDNESDAY_MORNING = datetime(2030, 3, 13, 9, 30, tzinfo=UTC)
ZONE = "Europe/Berlin"  # the simulated company's zone


class Recording(httpx.BaseTransport):
    """Passes requests to the simulator and keeps the JSON bodies sent."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner
        self.bodies: list[dict] = []

    def handle_request(self, request):
        self.bodies.append(json.loads(request.content))
        return self.inner.handle_request(request)


@pytest.fixture
def clock():
    return SimClock(WEDNESDAY_MORNING, frozen=True)


@pytest.fixture
def sim(clock):
    return Q2Simulator.demo(clock=clock)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def wire(sim):
    return Recording(sim.transport())


@pytest.fixture
def make(sim, sleeps, wire):
    def make(base_url="http://sim.test", **options):
        options.setdefault("page_size", 5000)
        options.setdefault("time_zone", ZONE)
        return Q2Connector(
            base_url,
            sim.credentials(),
            ClientOptions(**options),
            transport=wire,
            sleep=sleeps.append,
        )

    return make


@pytest.fixture
def q2(make):
    return make()


def everything(connector, stream, cursor=None):
    pages = list(connector.read(stream, cursor))
    return pages, [r for p in pages for r in p.records], [s for p in pages for s in p.skipped]


def inactive_user(sim):
    return next(u for u in sim.users if u.role == "Inactive")  # has no shifts of its own


def add_card(sim, entry_type, in_at, out_at=None, saved=None, **fields):
    saved = saved or sim.clock.now()
    card = TimeCard(inactive_user(sim), entry_type, in_at, out_at, saved, saved, **fields)
    sim.cards.add(card)
    return card


def cards_of(records, user):
    return [r for r in records if r.person_id == user.user_name]


# -- identity, capabilities, credentials ------------------------------------------------------
def test_registry_finds_the_read_only_connector():
    cls = connector_class("q2")

    assert cls is Q2Connector
    assert cls.capabilities.reads == {"people", "time_cards"}
    assert not (cls.capabilities.writes or cls.capabilities.deletes or cls.capabilities.commands)


def test_check_reports_the_company_and_keeps_the_token_out(q2, sim, wire):
    identity = q2.check()

    assert identity.vendor == "OpenTimeClock Q2" and identity.user == sim.company_id
    assert sim.developer_token not in repr(identity) and sim.developer_token not in repr(q2)
    assert wire.bodies[0]["developerToken"] == sim.developer_token
    assert wire.bodies[0]["maxRecords"] == "1"


def test_missing_credentials_fail_before_any_request(sim):
    with pytest.raises(errors.AuthenticationError):
        Q2Connector("http://sim.test", {"company_id": sim.company_id}, transport=sim.transport())
    assert sim.requests_served == 0


def test_unknown_company_and_rotated_token_are_authentication_errors_sent_once(sim, sleeps):
    wrong_company = {"company_id": "1", "developer_token": sim.developer_token}
    wrong = Q2Connector(
        "http://sim.test", wrong_company, transport=sim.transport(), sleep=sleeps.append
    )
    with pytest.raises(errors.AuthenticationError, match="Company ID not found"):
        wrong.check()
    right = Q2Connector(
        "http://sim.test", sim.credentials(), transport=sim.transport(), sleep=sleeps.append
    )
    sim.rotate_token()
    with pytest.raises(errors.AuthenticationError, match="Developer token is not correct"):
        right.check()

    assert sim.requests_served == 2 and not sleeps


def test_base_url_may_hold_the_command_path_but_a_wrong_path_is_not_found(make, sim):
    assert make("http://sim.test/Jun-Inside-VPC").check().user == sim.company_id
    with pytest.raises(errors.NotFoundError, match="no Q2 API"):
        make("http://sim.test/api").check()


# -- people -----------------------------------------------------------------------------------
def test_people_map_every_user_with_inactive_role_as_inactive(q2, sim):
    _, people, skipped = everything(q2, "people")

    assert {p.vendor_id for p in people} == {u.user_name for u in sim.users} and not skipped
    by_name = {p.vendor_id: p for p in people}
    for user in sim.users:
        person = by_name[user.user_name]
        assert person.code == user.employee_number  # leading zeros kept, blank when never filled
        assert (person.first_name, person.last_name) == (user.first_name, user.last_name)
        assert person.active is (user.role != "Inactive")
        assert person.hire_date == user.hired and person.department_name == user.department
    assert any(not p.active for p in people) and any(p.code == "" for p in people)


@pytest.mark.parametrize("extra_empty_page", [True, False])
def test_people_page_with_next_record_until_minus_one(make, sim, wire, extra_empty_page):
    sim.quirks.extra_empty_page = extra_empty_page
    q2 = make(page_size=13)  # 52 users: four full pages

    pages, people, _ = everything(q2, "people")

    assert len(people) == len(sim.users)
    extra = ["52"] if extra_empty_page else []
    assert [b["nextRecord"] for b in wire.bodies] == ["0", "13", "26", "39", *extra]
    assert all(b["maxRecords"] == "13" for b in wire.bodies)
    assert Q2Cursor.loads(pages[-1].cursor).next is None


def test_people_cursor_asks_for_users_updated_since_with_an_overlap(q2, sim, clock, wire):
    pages, _, _ = everything(q2, "people")
    clock.advance(timedelta(days=1))
    changed = sim.users[3]
    changed.last_name, changed.updated_at = "Renamed", clock.now()

    _, again, _ = everything(q2, "people", pages[-1].cursor)

    high = Q2Cursor.loads(pages[-1].cursor).high
    since = high - Q2Connector.PEOPLE_LOOKBACK
    expected = {u.user_name for u in sim.users if u.updated_at >= since}
    assert {p.vendor_id for p in again} == expected and changed.user_name in expected
    assert [p.last_name for p in again if p.vendor_id == changed.user_name] == ["Renamed"]
    assert wire.bodies[-1]["updatedDateTimeFrom"] < wire.bodies[-1]["updatedDateTimeTo"]


def test_find_person_by_employee_number(q2, sim):
    user = next(u for u in sim.users if u.employee_number)

    assert q2.find_person(user.employee_number).vendor_id == user.user_name
    assert q2.find_person("no-such-number") is None


# -- time cards -------------------------------------------------------------------------------
def test_time_cards_map_entry_types_open_cards_and_local_times(q2, sim):
    _, cards, skipped = everything(q2, "time_cards")

    assert len(cards) == len(sim.cards) and not skipped
    assert len({c.vendor_id for c in cards}) == len(cards)
    assert {c.entry_type for c in cards} == {"job", "pto", "addition", "deduction"}
    by_start = {(c.person_id, c.clock_in, c.entry_type): c for c in cards}
    names = {0: "job", 1: "pto", 2: "addition", 3: "deduction"}
    for card in sim.cards:
        mapped = by_start[(card.user.user_name, card.in_at, names[card.entry_type])]
        assert mapped.clock_out == card.out_at  # naive Berlin time read back as the same instant
        if card.entry_type != JOB:
            assert mapped.hours == float(card.hours)
    still_in = [c for c in cards if c.entry_type == "job" and c.clock_out is None]
    assert still_in and all(c.hours is None for c in still_in)
    assert all(c.raw["outDateTime"] == "0000-00-00 00:00:00" for c in still_in)


def test_numeric_flags_parse_like_strings(q2, sim):
    _, as_strings, _ = everything(q2, "time_cards")
    sim.quirks.numeric_flags = True
    _, as_numbers, _ = everything(q2, "time_cards")

    assert isinstance(as_numbers[0].raw["entryType"], int)
    assert isinstance(as_strings[0].raw["entryType"], str)
    assert as_numbers == as_strings


def test_form_body_switch_does_not_matter_to_a_json_client(q2, sim):
    sim.quirks.form_body_accepted = True
    _, with_forms, _ = everything(q2, "people")
    sim.quirks.form_body_accepted = False
    _, json_only, _ = everything(q2, "people")

    assert with_forms == json_only and with_forms


def test_open_card_is_read_again_each_run_until_it_closes(q2, sim, clock):
    ten_days_ago = clock.now() - timedelta(days=10)
    forgot = add_card(sim, JOB, ten_days_ago, saved=ten_days_ago)
    first = list(q2.read("time_cards"))[-1].cursor
    clock.advance(timedelta(hours=1))

    second_pages, second, _ = everything(q2, "time_cards", first)
    sim.cards.clock_out(forgot.user, clock.now())
    third_pages, third, _ = everything(q2, "time_cards", second_pages[-1].cursor)
    _, fourth, _ = everything(q2, "time_cards", third_pages[-1].cursor)

    assert [c.clock_out for c in cards_of(second, forgot.user)] == [None]
    assert [c.clock_out for c in cards_of(third, forgot.user)] == [clock.now()]
    assert cards_of(fourth, forgot.user) == []  # closed: the window no longer reaches back for it
    assert Q2Cursor.loads(first).open == forgot.in_at


def test_card_open_beyond_the_horizon_is_given_up(q2, sim, clock):
    abandoned = add_card(sim, JOB, clock.now() - timedelta(days=40))
    cursor = list(q2.read("time_cards"))[-1].cursor

    _, again, _ = everything(q2, "time_cards", cursor)

    assert Q2Cursor.loads(cursor).open == abandoned.in_at and cards_of(again, abandoned.user) == []


def test_adjustment_entered_a_day_late_is_caught_by_the_lookback(q2, sim, clock):
    cursor = list(q2.read("time_cards"))[-1].cursor
    clock.advance(timedelta(days=1))
    late = add_card(sim, ADDITION, clock.now() - timedelta(days=1, hours=2), hours="1.500")

    _, again, _ = everything(q2, "time_cards", cursor)

    assert [(c.entry_type, c.hours, c.clock_in) for c in cards_of(again, late.user)] == [
        ("addition", 1.5, late.in_at)
    ]


def test_pto_booked_ahead_and_future_typos_do_not_move_the_cursor(q2, sim, clock):
    add_card(sim, PTO, clock.now() + timedelta(hours=20), hours="8.000", pto_name="Vacation")
    typo = clock.now() + timedelta(days=300)
    add_card(sim, JOB, typo, typo + timedelta(hours=8))

    pages, cards, _ = everything(q2, "time_cards")

    high = Q2Cursor.loads(pages[-1].cursor).high
    newest_real = max(c.in_at for c in sim.cards if c.entry_type == JOB and c.in_at <= clock.now())
    assert high == newest_real
    assert any(c.entry_type == "pto" and c.clock_in > clock.now() for c in cards)


def test_mid_listing_cursor_resumes_with_the_next_record_given(make, sim, wire):
    first = next(make(page_size=100).read("time_cards"))

    _, rest, _ = everything(make(page_size=100), "time_cards", first.cursor)

    assert wire.bodies[1]["nextRecord"] == "100"
    assert wire.bodies[1]["dateTimeFrom"] == wire.bodies[0]["dateTimeFrom"]
    assert len({c.vendor_id for c in first.records + rest}) == len(sim.cards)


def test_page_size_is_capped_at_5000_and_pages_stream_one_request_each(clock, sleeps):
    big = Q2Simulator.large(time_cards=60_000, users=200, clock=clock)
    wire = Recording(big.transport())
    options = ClientOptions(page_size=20_000, time_zone=ZONE)
    q2 = Q2Connector(
        "http://sim.test", big.credentials(), options, transport=wire, sleep=sleeps.append
    )

    stream = q2.read("time_cards")
    first = next(stream)

    assert len(first.records) == 5000 and len(wire.bodies) == 1
    assert wire.bodies[0]["maxRecords"] == "5000"
    assert sum(len(p.records) for p in stream) + 5000 == 60_000


# -- errors and faults ------------------------------------------------------------------------
def test_repeating_next_record_is_a_protocol_error(make, sim):
    sim.vendor_faults.repeat_next_record = 1

    with pytest.raises(errors.ProtocolError, match="same page twice"):
        list(make(page_size=10).read("people"))


def test_gateway_timeouts_are_retried_then_succeed(q2, sim, sleeps):
    sim.vendor_faults.gateway_timeout_next = 2

    _, people, _ = everything(q2, "people")

    assert len(people) == len(sim.users) and len(sleeps) == 2


def test_endless_gateway_timeouts_end_in_transient_error(make, sim):
    sim.vendor_faults.gateway_timeout_next = 10

    with pytest.raises(errors.TransientError, match="did not answer in time"):
        make(max_retries=2).check()


def test_gateway_throttling_is_retried_then_bounded(make, sim, sleeps):
    sim.vendor_faults.throttle_next = 2
    assert make().check()
    sim.vendor_faults.throttle_next = 10

    with pytest.raises(errors.RateLimitError) as raised:
        make(max_retries=1).check()

    assert raised.value.retry_after is None and raised.value.status_code == 429 and len(sleeps) == 3


def test_html_maintenance_page_with_200_is_a_protocol_error(q2, sim):
    sim.vendor_faults.html_200_next = 1

    with pytest.raises(errors.ProtocolError, match="HTML page"):
        q2.check()
    assert sim.requests_served == 1


@pytest.mark.parametrize("fault", ["error_burst", "timeouts", "drops"])
def test_kit_faults_are_retried_then_the_read_completes(q2, sim, sleeps, fault):
    setattr(sim.faults, fault, 3)

    _, cards, _ = everything(q2, "time_cards")

    assert len(cards) == len(sim.cards) and len(sleeps) == 3


@pytest.mark.parametrize("fault", ["error_burst", "timeouts", "drops"])
def test_kit_faults_beyond_the_retry_budget_raise_transient_error(make, sim, fault):
    setattr(sim.faults, fault, 5)

    with pytest.raises(errors.TransientError):
        make(max_retries=2).check()


def test_latency_only_slows_answers(q2, sim):
    sim.faults.latency = 0.01

    assert q2.check().vendor == "OpenTimeClock Q2"


def test_refused_names_are_validation_errors_with_their_field(q2):
    with pytest.raises(errors.ValidationError) as user:
        q2.client.command(QUERY_USERS, {"userFullName": "Nobody Here", "nextRecord": "0"})
    with pytest.raises(errors.ValidationError) as role:
        q2.client.command(QUERY_USERS, {"role": "Pilot", "nextRecord": "0"})

    assert user.value.field == "userFullName" and role.value.field == "role"


def test_unknown_command_and_bad_next_record_are_protocol_errors(q2):
    with pytest.raises(errors.ProtocolError, match="Command not found"):
        q2.client.command("api/q2DeleteEverything", {})
    with pytest.raises(errors.ProtocolError, match="nextRecord"):
        q2.client.command(QUERY_USERS, {"nextRecord": "abc"})


def test_unreadable_cursor_is_a_validation_error(q2):
    with pytest.raises(errors.ValidationError):
        next(q2.read("time_cards", "{not json"))


def test_works_over_real_loopback(sim):
    running = serve(sim)
    try:
        with Q2Connector(running.base_url, sim.credentials(), ClientOptions(time_zone=ZONE)) as q2:
            _, people, _ = everything(q2, "people")
    finally:
        running.server.shutdown()

    assert len(people) == len(sim.users)
