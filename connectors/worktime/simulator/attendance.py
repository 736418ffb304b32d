"""Attendance records: the live, time-sorted store (demo history, manual clocks, lock clock-ins)
and the read-only records ``large()`` generates by (day, employee) index.

A record's ``date`` is the organisation's local date of its clock-in, so a date range maps to one
clock-in interval and a binary search finds it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from connectors.worktime.simulator.records import (
    AttendanceRecord,
    Employee,
    employee_index,
)

GENERATED_ID_BASE = 1_000_000_000  # generated records never collide with live att_100001…


@dataclass(frozen=True)
class AttendanceQuery:
    employee_id: str | None = None
    start: date | None = None
    end: date | None = None
    lock_id: str | None = None


def scheduled_start(employee: Employee, day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, employee.shift_start, tzinfo=zone).astimezone(UTC)


def late_minutes(employee: Employee, clock_in: datetime, zone: tzinfo) -> int:
    start = scheduled_start(employee, clock_in.astimezone(zone).date(), zone)
    return max(0, int((clock_in - start).total_seconds() // 60))


def early_departure_minutes(employee: Employee, record: AttendanceRecord, zone: tzinfo) -> int:
    if record.clock_out is None:
        return 0
    end = scheduled_start(employee, record.date, zone) + timedelta(minutes=employee.shift_minutes)
    return max(0, int((end - record.clock_out).total_seconds() // 60))


def _bounds(query: AttendanceQuery, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    low = high = None
    if query.start:
        low = datetime.combine(query.start, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    if query.end:
        after = query.end + timedelta(days=1)
        high = datetime.combine(after, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    return low, high


def _clock_in(record: AttendanceRecord) -> datetime:
    return record.clock_in


class LiveAttendance:
    def __init__(self, zone: tzinfo):
        self.zone = zone
        self._records: list[AttendanceRecord] = []
        self._keys: list[tuple[datetime, int]] = []
        self._sequence = 100000
        self.by_id: dict[str, AttendanceRecord] = {}
        self.open_by_employee: dict[str, AttendanceRecord] = {}
        self._by_employee: dict[str, list[AttendanceRecord]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def clock_in(self, employee: Employee, when: datetime, lock_id: str | None, method: str):
        self._sequence += 1
        record = AttendanceRecord(
            id=f"att_{self._sequence}",
            employee_id=employee.id,
            employee_name=employee.name,
            clock_in=when,
            clock_out=None,
            late_minutes=late_minutes(employee, when, self.zone),
            early_departure_minutes=0,
            lock_id=lock_id,
            date=when.astimezone(self.zone).date(),
            method=method,
        )
        key = (when, self._sequence)
        position = bisect.bisect(self._keys, key)
        self._keys.insert(position, key)
        self._records.insert(position, record)
        self.by_id[record.id] = record
        self.open_by_employee[employee.id] = record
        bisect.insort(self._by_employee.setdefault(employee.id, []), record, key=_clock_in)
        return record

    def clock_out(self, employee: Employee, when: datetime) -> AttendanceRecord:
        record = self.open_by_employee.pop(employee.id)
        record.clock_out = when
        record.early_departure_minutes = early_departure_minutes(employee, record, self.zone)
        return record

    def query(self, query: AttendanceQuery) -> list[AttendanceRecord]:
        low, high = _bounds(query, self.zone)
        if query.employee_id is not None:
            rows: Sequence[AttendanceRecord] = self._by_employee.get(query.employee_id, [])
            first = 0 if low is None else bisect.bisect_left(rows, low, key=_clock_in)
            last = len(rows) if high is None else bisect.bisect_left(rows, high, key=_clock_in)
        else:
            rows = self._records
            first = 0 if low is None else bisect.bisect_left(self._keys, (low, -1))
            last = len(rows) if high is None else bisect.bisect_left(self._keys, (high, -1))
        selected = rows[first:last]
        if query.lock_id is not None:
            selected = [r for r in selected if r.lock_id == query.lock_id]
        return list(selected)


class GeneratedAttendance:
    """One closed record per generated employee per day, made on demand from (day, index).

    Ordered by day, then employee index; ``lock_id`` is ``lock_ids[index % len(lock_ids)]``.
    """

    def __init__(
        self,
        employees: int,
        first_day: date,
        days: int,
        lock_ids: list[str],
        employee_at: Callable[[int], Employee],
        zone: tzinfo,
    ):
        self.employees, self.first_day, self.days = employees, first_day, days
        self.lock_ids, self.employee_at, self.zone = lock_ids, employee_at, zone

    def record(self, day: int, index: int) -> AttendanceRecord:
        employee = self.employee_at(index)
        local_day = self.first_day + timedelta(days=day)
        start = scheduled_start(employee, local_day, self.zone)
        arrival = (index * 7 + day * 13) % 40 - 15  # minutes against the schedule
        leaving = (index * 11 + day * 5) % 60 - 20
        clock_in = start + timedelta(minutes=arrival)
        clock_out = start + timedelta(minutes=employee.shift_minutes + leaving)
        return AttendanceRecord(
            id=f"att_{GENERATED_ID_BASE + day * self.employees + index}",
            employee_id=employee.id,
            employee_name=employee.name,
            clock_in=clock_in,
            clock_out=clock_out,
            late_minutes=max(0, arrival),
            early_departure_minutes=max(0, -leaving),
            lock_id=self.lock_ids[index % len(self.lock_ids)],
            date=local_day,
            method="fingerprint",
        )

    def _selection(self, query: AttendanceQuery) -> tuple[range, range]:
        first = 0 if query.start is None else max(0, (query.start - self.first_day).days)
        last = (
            self.days
            if query.end is None
            else min(self.days, (query.end - self.first_day).days + 1)
        )
        days = range(first, max(first, last))
        members = range(self.employees)
        if query.lock_id is not None:
            if query.lock_id not in self.lock_ids:
                return days, range(0)
            members = range(self.lock_ids.index(query.lock_id), self.employees, len(self.lock_ids))
        if query.employee_id is not None:
            index = employee_index(query.employee_id)
            members = (
                range(index, index + 1) if index is not None and index in members else range(0)
            )
        return days, members

    def count(self, query: AttendanceQuery) -> int:
        days, members = self._selection(query)
        return len(days) * len(members)

    def page(self, query: AttendanceQuery, offset: int, limit: int) -> list[AttendanceRecord]:
        days, members = self._selection(query)
        total = len(days) * len(members)
        return [
            self.record(days[rank // len(members)], members[rank % len(members)])
            for rank in range(offset, min(total, offset + limit))
        ]


class Attendance:
    """Generated records (if any) followed by live ones: one list as the API pages it."""

    def __init__(self, zone: tzinfo):
        self.live = LiveAttendance(zone)
        self.generated: GeneratedAttendance | None = None

    def page(self, query: AttendanceQuery, offset: int, limit: int | None):
        generated_total = self.generated.count(query) if self.generated else 0
        live_rows = self.live.query(query)
        total = generated_total + len(live_rows)
        end = total if limit is None else min(total, offset + limit)
        rows: list[AttendanceRecord] = []
        if offset < generated_total:
            rows = self.generated.page(query, offset, min(end, generated_total) - offset)
        rows += live_rows[max(0, offset - generated_total) : max(0, end - generated_total)]
        return total, rows

    def all(self, query: AttendanceQuery) -> list[AttendanceRecord]:
        return self.page(query, 0, None)[1]
