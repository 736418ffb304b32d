"""Shared pieces of the WorkTime One connector tests (the fixtures live in conftest.py): a demo simulator on a frozen clock, a wire
recorder in front of it, and sleeps that move the simulated clock (so waiting for a rate-limit
reset really reaches it, and costs no wall time)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

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


def everything(connector, stream, cursor=None):
    pages = list(connector.read(stream, cursor))
    records = [r for p in pages for r in p.records]
    skipped = [s for p in pages for s in p.skipped]
    return pages, records, skipped
