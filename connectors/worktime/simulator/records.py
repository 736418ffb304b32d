"""The simulator's records and how the API renders them (field names as in the document).

Timestamps are aware UTC and rendered ``2024-11-18T09:00:00Z``; dates ``YYYY-MM-DD``. Fields the
document does not show but a client needs to round-trip what it posted (``department_id``,
``start_date``) are added to the employee; nothing else is invented on documented objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

ACTIVE = "active"
INACTIVE = "inactive"
STATUSES = (ACTIVE, INACTIVE)

EMPLOYEE_ID_BASE = 100001  # emp_100001 is directory index 0


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def employee_id(index: int) -> str:
    return f"emp_{EMPLOYEE_ID_BASE + index}"


def employee_index(value: str) -> int | None:
    """The directory index behind ``emp_…``, or None when the id cannot be ours."""
    if not value.startswith("emp_") or not value[4:].isdigit():
        return None
    index = int(value[4:]) - EMPLOYEE_ID_BASE
    return index if index >= 0 else None


@dataclass(frozen=True)
class Department:
    id: str
    name: str


@dataclass(frozen=True)
class Employee:
    id: str
    index: int  # position in the directory (creation order), not part of the API
    name: str
    email: str
    department: Department | None
    position: str
    salary: float
    status: str
    start_date: date | None
    created_at: datetime
    #: the working schedule lateness and early departures are measured against (local time)
    shift_start: time = time(8, 30)
    shift_minutes: int = 510  # 8 h work + 30 min break

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "department": self.department.name if self.department else None,
            "department_id": self.department.id if self.department else None,
            "position": self.position,
            "salary": _number(self.salary),
            "status": self.status,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "created_at": iso(self.created_at),
        }


@dataclass
class AttendanceRecord:
    id: str
    employee_id: str
    employee_name: str
    clock_in: datetime
    clock_out: datetime | None
    late_minutes: int
    early_departure_minutes: int
    lock_id: str | None
    date: date  # the organisation's local date of clock_in
    method: str = "manual"  # how the clock-in happened; only webhooks show it

    @property
    def work_hours(self) -> float | None:
        if self.clock_out is None:
            return None
        return round((self.clock_out - self.clock_in).total_seconds() / 3600, 2)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "employee_id": self.employee_id,
            "employee_name": self.employee_name,
            "clock_in": iso(self.clock_in),
            "clock_out": iso(self.clock_out),
            "work_hours": self.work_hours,
            "late_minutes": self.late_minutes,
            "early_departure_minutes": self.early_departure_minutes,
            "lock_id": self.lock_id,
            "date": self.date.isoformat(),
        }


@dataclass
class SmartLock:
    """A TTLock lock. The document names no fields for locks; these are TTLock's own notions."""

    id: str
    name: str
    location: str
    ttlock_id: int
    mac: str
    has_gateway: bool  # without a gateway, openings reach the cloud only when a phone syncs
    battery_level: int
    last_activity_at: datetime | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "location": self.location,
            "brand": "TTLock",
            "ttlock_id": self.ttlock_id,
            "mac": self.mac,
            "has_gateway": self.has_gateway,
            "battery_level": self.battery_level,
            "status": "online" if self.has_gateway else "offline",
            "last_activity_at": iso(self.last_activity_at),
        }


@dataclass(frozen=True)
class LockEvent:
    id: str
    lock_id: str
    employee_id: str | None
    employee_name: str | None
    access_method: str
    timestamp: datetime
    success: bool

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "lock_id": self.lock_id,
            "employee_id": self.employee_id,
            "employee_name": self.employee_name,
            "access_method": self.access_method,
            "timestamp": iso(self.timestamp),
            "success": self.success,
        }


def _number(value: float) -> int | float:
    """Salaries are JSON numbers as in the document (75000, not "75000.00")."""
    return int(value) if float(value).is_integer() else round(value, 2)
