"""Shared set-up for the WorkTime One connector tests: a demo simulator on a frozen clock, a wire
recorder in front of it, and sleeps that move the simulated clock (so waiting for a rate-limit
reset really reaches it, and costs no wall time)."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as dt_time

import httpx
import pytest

from connectors.client import ClientOptions
from connectors.simkit.clock import SimClock
from connectors.worktime.connector import WorkTimeConnector
from connectors.worktime.simulator import WorkTimeSimulator

WEDNESDAY_MORNING = datetime(2030, 3, 13, 9, 30, tzinfo=UTC)  # 10:30 in Hamburg
BASE_URL = "http://sim.test/v1"
DOC_EMPLOYEE = "emp_123456"
WORKER = "emp_300001"  # shift 08:30–17:00 Hamburg time
DOC_LOCK = "lock_789"


class Wire(httpx.BaseTransport):
    """Every request the connector sent and what the simulator answered (status or exception)."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner
        self.calls: list[tuple[str, str, object, dict]] = []
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = dict(request.url.params)
        try:
            response = self.inner.handle_request(request)
        except Exception as exc:
            self.calls.append((request.method, request.url.path, type(exc).__name__, params))
            raise
        self.calls.append((request.method, request.url.path, response.status_code, params))
        return response

    def statuses(self) -> list[object]:
        return [call[2] for call in self.calls]

    def paths(self, method: str | None = None) -> list[str]:
        return [call[1] for call in self.calls if method is None or call[0] == method]


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
    sim.add_employee("Jane Roe", "jane.roe@example.com", id=WORKER, department="Sales", salary=52000)
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
            base_url, credentials, ClientOptions(**options), transport=wire, sleep=sleep,
            now=lambda: clock.now().timestamp(),
        )

    return make


@pytest.fixture
def wt(make):
    return make()


def everything(connector, stream, cursor=None):
    pages = list(connector.read(stream, cursor))
    records = [r for p in pages for r in p.records]
    skipped = [s for p in pages for s in p.skipped]
    return pages, records, skipped
