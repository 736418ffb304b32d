"""WorkTime One's hourly request budget: the connector paces itself instead of meeting 429s,
waits for the reset when that is short, and otherwise hands the wait back to the caller.

Sleeps move the simulator's clock (see ``conftest``), so a wait for the reset really
reaches it; what the simulator answered is read off the wire recorder in front of it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors import errors
from connectors.client import ClientOptions
from connectors.worktime.budget import RESET_MARGIN
from connectors.worktime.connector import WorkTimeConnector
from connectors.worktime.simulator import ApiKey, WorkTimeQuirks, WorkTimeSimulator
from tests.connectors.worktime.support import (
    Wire,
    everything,
)

FREE = "wt_free"
HOUR = 3600


def expected_pacing(requests: int, first_window_left: float) -> list[float]:
    """The documented policy for a sync that starts with a full free budget (100 an hour):
    the first 80 requests of a window go at once, the last 20 are spread over the time left, and
    the 20th lands on the reset, so every later window holds 99 of ours and starts a full hour."""
    waits, used, left = [], 0, first_window_left
    for _ in range(requests):
        remaining = 100 - used
        if remaining <= 20:
            wait = left / remaining
            waits.append(wait)
            left -= wait
        if left <= 0:  # this request is the first of a new window
            used, left = 0, float(HOUR)
        used += 1
    return waits


def test_a_free_plan_sync_larger_than_the_budget_never_meets_a_429(sim, make, wire, sleeps, clock):
    sim.add_api_key(FREE, plan="free")
    free = make(FREE, page_size=10, max_wait=HOUR)

    for stream in ("people", "punches", "doors", "lock_events"):
        everything(free, stream)

    requests = len(wire.calls)
    assert requests > 250  # two and a half hourly budgets
    assert 429 not in wire.statuses() and set(wire.statuses()) == {200}
    assert (
        sleeps[:20] == [90.0] * 20
    )  # 09:30: the last 20 requests of the hour, spread over 30 minutes
    assert sleeps[20:40] == [180.0] * 20  # a whole hour for the next window's last 20
    assert sleeps == expected_pacing(requests, first_window_left=1800.0)
    assert clock.now() >= datetime(2030, 3, 13, 11, 0, tzinfo=UTC)


def test_rate_limit_state_follows_the_headers_of_every_answer(sim, make):
    sim.add_api_key(FREE, plan="free")
    free = make(FREE)
    assert free.rate_limit_state().limit is None  # nothing heard yet

    free.check()
    list(free.read("doors"))

    state = free.rate_limit_state()
    assert (state.limit, state.remaining, state.plan) == (100, 98, "free")
    assert state.reset == datetime(2030, 3, 13, 10, 0, tzinfo=UTC)


def test_after_the_reset_the_state_shows_a_full_budget(sim, make, clock):
    sim.add_api_key(FREE, plan="free")
    free = make(FREE)
    free.check()

    clock.set(datetime(2030, 3, 13, 10, 0, 1, tzinfo=UTC))

    assert free.rate_limit_state().remaining == 100


def test_a_budget_spent_by_another_integration_raises_with_the_time_to_reset(
    sim, make, wire, sleeps
):
    sim.add_api_key(FREE, plan="free")
    sim.spend_budget(FREE)
    free = make(FREE)

    with pytest.raises(errors.RateLimitError) as caught:
        free.check()

    assert caught.value.retry_after == 1800.0 and caught.value.is_retryable
    assert wire.statuses() == [429] and sleeps == []
    with pytest.raises(errors.RateLimitError) as again:  # known spent: not even asked
        list(free.read("people"))
    assert again.value.retry_after == 1800.0 + RESET_MARGIN and len(wire.calls) == 1


def test_a_429_shortly_before_the_reset_is_waited_out(sim, make, wire, sleeps, clock):
    clock.set(datetime(2030, 3, 13, 9, 59, tzinfo=UTC))
    sim.add_api_key(FREE, plan="free")
    sim.spend_budget(FREE)

    identity = make(FREE).check()

    assert identity.details["rate_limit"]["remaining"] == 99
    assert wire.statuses() == [429, 200] and sleeps == [60.0]


def test_retry_after_is_honoured_when_the_server_sends_it(sim, clock, wire, make, sleeps):
    clock.set(datetime(2030, 3, 13, 9, 59, 30, tzinfo=UTC))
    sim.quirks = WorkTimeQuirks(retry_after_on_429=True)
    sim.add_api_key(FREE, plan="free")
    sim.spend_budget(FREE)

    make(FREE).check()

    assert wire.statuses() == [429, 200] and sleeps == [30.0]


def test_a_long_paced_wait_is_handed_back_before_any_429(sim, make, wire, sleeps, clock):
    clock.set(datetime(2030, 3, 13, 9, 0, tzinfo=UTC))  # a whole hour to the reset
    sim.add_api_key(FREE, plan="free")
    free = make(FREE, page_size=10)  # max_wait stays 120 s

    with pytest.raises(errors.RateLimitError, match="down to 20 of 100") as caught:
        for stream in ("people", "punches"):
            everything(free, stream)

    assert len(wire.calls) == 80 and 429 not in wire.statuses() and sleeps == []
    assert (
        caught.value.retry_after == HOUR + RESET_MARGIN
    )  # 3600 / 20 = 180 s a request is too slow


def test_a_budget_nearly_spent_by_others_is_paced_from_the_first_answer(sim, make, sleeps):
    sim.add_api_key(FREE, plan="free")
    sim.spend_budget(FREE, 90)  # 10 left, 30 minutes to go
    free = make(FREE, max_wait=HOUR)

    free.check()
    free.check()
    free.check()

    assert sleeps == [1800.0 / 9, (1800.0 - 200.0) / 8]


def test_an_enterprise_budget_never_waits(sim, wt, sleeps):
    for stream in ("people", "punches", "doors", "devices", "lock_events"):
        everything(wt, stream)

    assert sleeps == [] and wt.rate_limit_state().plan == "enterprise"


def test_the_large_simulator_pages_deep_within_budget(clock):
    sim = WorkTimeSimulator.large(
        employees=5000, clock=clock, api_keys=[ApiKey("wt_paid", plan="paid")]
    )
    wire = Wire(sim.transport())
    connector = WorkTimeConnector(
        "http://sim.test/v1",
        {"api_key": "wt_paid"},
        ClientOptions(),
        transport=wire,
        sleep=lambda s: None,
        now=lambda: clock.now().timestamp(),
    )
    _, people, _ = everything(connector, "people")

    assert len(people) == 5000 and len(wire.calls) == 50  # 4800 active + 200 inactive, 100 a page
    assert connector.rate_limit_state().remaining == 1000 - 50
