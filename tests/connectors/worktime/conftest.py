"""Fixtures of the WorkTime One connector tests: a demo simulator on a frozen clock, a wire
recorder in front of it, and sleeps that move the simulated clock (so waiting for a rate-limit
reset really reaches it, and costs no wall time)."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as dt_time

import pytest

from connectors.client import ClientOptions
from connectors.simkit.clock import SimClock
from connectors.worktime.connector import WorkTimeConnector
from connectors.worktime.simulator import WorkTimeSimulator
from tests.connectors.worktime.support import (
    BASE_URL,
    DOC_EMPLOYEE,
    WEDNESDAY_MORNING,
    WORKER,
    Wire,
)


@pytest.fixture
def clock():
    return SimClock(WEDNESDAY_MORNING, frozen=True)


@pytest.fixture
def sim(clock):
    sim = WorkTimeSimulator.demo(clock=clock)
    sim.add_employee(
        "John Doe", "john.doe@example.com", id=DOC_EMPLOYEE, department="Marketing",
        position="Senior Developer", salary=75000, created_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
        shift_start=dt_time(10, 0),
    )  # fmt: skip
    sim.add_employee(
        "Jane Roe", "jane.roe@example.com", id=WORKER, department="Sales", salary=52000
    )
    return sim


@pytest.fixture
def wire(sim):
    return Wire(sim.transport())


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make(sim, wire, clock, sleeps):
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    def make(api_key: str | None = None, *, base_url: str = BASE_URL, **options):
        options.setdefault("time_zone", "Europe/Berlin")
        credentials = {"api_key": api_key or sim.credentials()["api_key"]}
        return WorkTimeConnector(
            base_url,
            credentials,
            ClientOptions(**options),
            transport=wire,
            sleep=sleep,
            now=lambda: clock.now().timestamp(),
        )

    return make


@pytest.fixture
def wt(make):
    return make()
