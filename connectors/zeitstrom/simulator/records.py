"""Zeitstrom's resources as the simulator holds them, and how each renders as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from connectors.zeitstrom.simulator.drf import format_datetime


@dataclass
class Employee:
    id: str  # UUID as text
    created_at: datetime  # aware UTC, like every datetime held here
    modified_at: datetime
    first_name: str
    last_name: str
    email: str
    external_id: str | None
    accounting_number: str  # the personnel number
    archived_at: datetime | None = None

    def to_json(self, zone: tzinfo) -> dict:
        return {
            "id": self.id,
            "created_at": format_datetime(self.created_at, zone),
            "modified_at": format_datetime(self.modified_at, zone),
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "external_id": self.external_id,
            "accounting_number": self.accounting_number,
            "archived_at": format_datetime(self.archived_at, zone),
        }


@dataclass
class Timespan:
    """One working session: open (``checkout_time`` None) until the employee checks out."""

    id: str
    created_at: datetime
    modified_at: datetime
    employee_id: str
    checkin_time: datetime
    checkout_time: datetime | None
    source: str  # "app" (app timestamps), "employee" (employee action), "web" (manual), "terminal"

    @property
    def duration(self) -> int | None:
        """Whole seconds worked; None while still checked in."""
        if self.checkout_time is None:
            return None
        return int((self.checkout_time - self.checkin_time).total_seconds())

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.checkin_time, self.id)

    def to_json(
        self, zone: tzinfo, verbosity: str = "detail", *, with_employee: bool = True
    ) -> dict:
        """The compact row (the list's default) carries no employee; ``duration`` adds the
        seconds, ``device`` the source, ``detail`` everything (``with_employee`` off: a build
        whose detail rows still lack the employee)."""
        body = {
            "id": self.id,
            "checkin_time": format_datetime(self.checkin_time, zone),
            "checkout_time": format_datetime(self.checkout_time, zone),
            "project_id": None,
            "employee_comment": "",
            "tag_assignments": [],
        }
        if verbosity in ("duration", "detail"):
            body["duration"] = self.duration
        if verbosity in ("device", "detail"):
            body["source"] = self.source
        if verbosity == "detail":
            body["created_at"] = format_datetime(self.created_at, zone)
            body["modified_at"] = format_datetime(self.modified_at, zone)
            if with_employee:
                body["employee_id"] = self.employee_id
        return body


@dataclass
class AppTimestamp:
    """What ``POST /api/v2/devices/app-timestamps/`` creates and answers with."""

    id: str
    created_at: datetime
    intent: str
    employee_id: str
    time: datetime
    timespan_id: str

    def to_json(self, zone: tzinfo) -> dict:
        return {
            "id": self.id,
            "created_at": format_datetime(self.created_at, zone),
            "intent": self.intent,
            "employee_id": self.employee_id,
            "time": format_datetime(self.time, zone),
            "timespan_id": self.timespan_id,
        }
