"""A WorkTime One account on the free plan (100 requests an hour) is synced without a single 429."""

import httpx
import pytest

from connectors.worktime.simulator import WorkTimeSimulator
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import wire

pytestmark = pytest.mark.django_db


class StatusLog(httpx.BaseTransport):
    """Passes requests to the simulator and keeps the status of every answer."""

    def __init__(self, inner):
        self.inner = inner
        self.statuses: list[int] = []

    def handle_request(self, request):
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response


def test_a_free_plan_account_spreads_its_sync_over_the_hours_without_a_429(clock, client_as):
    simulator = WorkTimeSimulator.demo(clock=clock)
    simulator.add_api_key("wt_free_key", plan="free")
    wired = wire("worktime", simulator, options={"page_size": 20})
    wired.account.credentials = {"api_key": "wt_free_key"}
    wired.account.save()
    transport = StatusLog(simulator.transport())
    waited: list[float] = []

    def sleep(seconds):  # time passes on the vendor's clock while the worker waits its turn
        waited.append(seconds)
        clock.advance(seconds)

    deferred = 0
    for stream in ("people", "doors", "punches", "lock_events"):
        run = pull_stream(wired.account.pk, stream, full=True, transport=transport, sleep=sleep)
        while run.status == "deferred":  # the budget ran low: the next scheduled pull goes on
            deferred += 1
            assert "budget" in run.error and run.resume_after is not None
            clock.advance((run.resume_after - run.started_at).total_seconds())
            run = pull_stream(wired.account.pk, stream, transport=transport, sleep=sleep)
        assert run.status == "succeeded", f"{stream}: {run.error}"
    assert len(transport.statuses) > 200  # more than two hours' budget
    assert 429 not in transport.statuses
    assert sum(waited) > 0 and max(waited) <= 120  # paced, never a wait beyond the worker's limit
    assert deferred >= 1
    wired.account.refresh_from_db()
    assert wired.account.rate_limit["limit"] == 100 and wired.account.rate_limit["plan"] == "free"
    html = client_as("admin").get("/sync/health/").content.decode()
    assert "request budget" in html and "of 100 an hour (free plan)" in html
