"""Each smart lock's access history, kept sorted by the time of the opening.

Openings on a lock without a gateway reach the cloud late (when a phone syncs), so they are
inserted behind newer events: a client pulling "since my last event" misses them unless it
re-reads with an overlap.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, timedelta, tzinfo

from connectors.worktime.simulator.records import LockEvent


def _timestamp(event: LockEvent) -> datetime:
    return event.timestamp


class LockHistory:
    def __init__(self, zone: tzinfo):
        self.zone = zone
        self._events: dict[str, list[LockEvent]] = {}
        self._sequence = 100000

    def next_id(self) -> str:
        self._sequence += 1
        return f"event_{self._sequence}"

    def add(self, event: LockEvent) -> LockEvent:
        bisect.insort(self._events.setdefault(event.lock_id, []), event, key=_timestamp)
        return event

    def count(self, lock_id: str | None = None) -> int:
        if lock_id is not None:
            return len(self._events.get(lock_id, []))
        return sum(len(events) for events in self._events.values())

    def query(
        self,
        lock_id: str,
        start: date | None = None,
        end: date | None = None,
        employee_id: str | None = None,
    ) -> list[LockEvent]:
        events = self._events.get(lock_id, [])
        first, last = 0, len(events)
        if start is not None:
            first = bisect.bisect_left(events, self._midnight(start), key=_timestamp)
        if end is not None:
            last = bisect.bisect_left(
                events, self._midnight(end + timedelta(days=1)), key=_timestamp
            )
        selected = events[first:last]
        if employee_id is not None:
            selected = [e for e in selected if e.employee_id == employee_id]
        return selected

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=self.zone).astimezone(UTC)
