"""The simulated company going about its day: planned activity applied as the clock moves,
and the attendance and lock changes it (or the API) makes, with the webhooks they fire.

A mixin of :class:`~connectors.worktime.simulator.app.WorkTimeSimulator`, which owns the state.
"""

from __future__ import annotations

import heapq
from datetime import UTC, date, datetime, timedelta

from connectors.worktime.simulator import activity
from connectors.worktime.simulator.records import ACTIVE, AttendanceRecord, LockEvent


class SimulatedWorld:
    # -- simulated activity -------------------------------------------------------------------
    def tick(self) -> None:
        if self._planned_through is None:
            return
        now = self.clock.now()
        while self._planned_through < now.astimezone(self.zone).date() + timedelta(days=1):
            self._planned_through += timedelta(days=1)
            for event in self._plan_for_day(self._planned_through):
                heapq.heappush(self._pending, event)
        while self._pending and self._pending[0].visible_at <= now:
            self._apply(heapq.heappop(self._pending), fire=True)

    def _plan_for_day(self, day: date) -> list[activity.PlannedEvent]:
        workers = tuple(self._workers.values())
        events = [e for w in workers for e in activity.plan_day(w, day, self.zone)]
        late_locks = frozenset(lock.id for lock in self.locks.values() if not lock.has_gateway)
        events += activity.plan_background(workers, tuple(self.locks), late_locks, day, self.zone)
        return events

    def _apply(self, event: activity.PlannedEvent, fire: bool) -> None:
        employee = None
        if event.employee_index is not None:
            employee = self.directory.get(event.employee_index)
            if employee is None or employee.status != ACTIVE:
                return  # soft-deleted through the API: their fingerprint no longer works
        if event.kind == activity.LOCK:
            self._record_opening(
                event.lock_id, employee, event.method, event.at, event.success, fire
            )
            return
        open_record = self.attendance.live.open_by_employee.get(employee.id)
        if event.kind == activity.CLOCK_IN and open_record is None:
            self._clock_in(employee, event.at, event.lock_id, event.method, fire)
        elif event.kind == activity.CLOCK_OUT and open_record and open_record.clock_in < event.at:
            self._clock_out(employee, event.at, fire)

    def _record_opening(self, lock_id, employee, method, when, success, fire) -> LockEvent:
        lock = self.locks[lock_id]
        event = self.lock_history.add(
            LockEvent(
                id=self.lock_history.next_id(),
                lock_id=lock_id,
                employee_id=employee.id if employee else None,
                employee_name=employee.name if employee else None,
                access_method=method,
                timestamp=when,
                success=success,
            )
        )
        if lock.last_activity_at is None or when > lock.last_activity_at:
            lock.last_activity_at = when
        if self.lock_history.count(lock_id) % 150 == 0:  # the battery wears down with use
            lock.battery_level = max(5, lock.battery_level - 1)
        if fire and success:
            self._emit(
                "lock.opened",
                when,
                {
                    "event_id": event.id,
                    "lock_id": lock.id,
                    "lock_name": lock.name,
                    "employee_id": event.employee_id,
                    "employee_name": event.employee_name,
                    "access_method": method,
                    "timestamp": event.to_json()["timestamp"],
                },
            )
        return event

    def _clock_in(self, employee, when, lock_id, method, fire=True) -> AttendanceRecord:
        record = self.attendance.live.clock_in(employee, when, lock_id, method)
        if fire:
            self._emit("attendance.clock_in", when, self._clock_data(record, record.clock_in))
            if record.late_minutes:
                self._emit("penalty.created", when, self._penalty(record, "late_arrival"))
        return record

    def _clock_out(self, employee, when, fire=True) -> AttendanceRecord:
        record = self.attendance.live.clock_out(employee, when)
        if fire:
            data = self._clock_data(record, record.clock_out)
            data["work_hours"] = record.work_hours
            self._emit("attendance.clock_out", when, data)
            if record.early_departure_minutes:
                self._emit("penalty.created", when, self._penalty(record, "early_departure"))
        return record

    @staticmethod
    def _clock_data(record: AttendanceRecord, when: datetime) -> dict:
        return {
            "attendance_id": record.id,
            "employee_id": record.employee_id,
            "employee_name": record.employee_name,
            "lock_id": record.lock_id,
            "timestamp": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "method": record.method,
        }

    @staticmethod
    def _penalty(record: AttendanceRecord, kind: str) -> dict:
        minutes = record.late_minutes if kind == "late_arrival" else record.early_departure_minutes
        return {
            "attendance_id": record.id,
            "employee_id": record.employee_id,
            "employee_name": record.employee_name,
            "type": kind,
            "minutes": minutes,
            "date": record.date.isoformat(),
        }

    def _emit(self, event: str, when: datetime, data: dict) -> None:
        self.webhooks.emit(event, when, data)
