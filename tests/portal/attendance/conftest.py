"""A BioTime server (simulator, in-process HTTP) with one person of ours punching on it."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest

from connectors.biotime.simulator.records import Employee
from portal.attendance.dirty import recompute_dirty_days
from portal.attendance.models import ShiftAssignment, ShiftPattern
from portal.people.models import Person
from portal.sync.pull import pull_stream
from tests.factories import PersonFactory, SiteFactory, link_person_to
from tests.portal.sync.conftest import NOW, wire

#: the week of NOW (Wednesday 18 Nov 2026): Monday to Sunday
MONDAY = (NOW - timedelta(days=NOW.weekday())).date()
SUNDAY = MONDAY + timedelta(days=6)


@dataclass
class Clocking:
    """Our person, their BioTime account and terminal, and the simulator's clock."""

    wired: object
    person: Person
    terminal_id: int
    clock: object

    def punch(self, local_day, hh, mm=0, *, state=0):
        """A punch made then, uploaded now (the server keeps its list in upload order)."""
        from zoneinfo import ZoneInfo

        at = datetime(
            local_day.year, local_day.month, local_day.day, hh, mm, tzinfo=ZoneInfo("Europe/Berlin")
        )
        self.wired.simulator.add_punch(
            self.person.employee_code,
            terminal_id=self.terminal_id,
            state=state,
            at_ts=int(at.timestamp()),
            upload_delay=int(self.clock.now().timestamp() - at.timestamp()),
        )

    def advance(self, delta):
        """Time passes on the server: its terminals upload what their people punched."""
        self.clock.advance(delta)
        with self.wired.simulator.lock:
            self.wired.simulator.tick()

    def pull(self, *, full=False):
        """``full``: the wide sweep that catches uploads older than the incremental window.

        Then what the worker does next: the timecard task builds the days the pull marked."""
        run = pull_stream(
            self.wired.account.pk,
            "punches",
            full=full,
            transport=self.wired.transport,
            sleep=lambda s: None,
        )
        assert run.status == "succeeded", run.error
        recompute_dirty_days()
        return run


@pytest.fixture
def clocking(db):
    from connectors.biotime.simulator import BioTimeSimulator
    from connectors.simkit.clock import SimClock

    clock = SimClock(NOW, frozen=True)
    wired = wire("biotime", BioTimeSimulator.demo(clock=clock))
    sim = wired.simulator
    terminal = next(
        t
        for t in sim.directory.terminals.values()
        if t.is_attendance
        and not t.offline_windows
        and not t.offline_spans
        and not t.clock_ahead_seconds
    )
    department = next(iter(sim.directory.employees.values())).department_id
    sim.directory.add_employee(
        Employee(
            id=99001,
            emp_code="L-0001",
            department_id=department,
            area_ids=[],
            first_name="Lena",
            last_name="Lauterbach",
        )
    )
    site = SiteFactory(time_zone="Europe/Berlin")
    person = PersonFactory(employee_code="L-0001", first_name="Lena", last_name="Lauterbach")
    person.sites.add(site)
    link_person_to(wired.account, person, vendor_id="99001")
    day_shift = ShiftPattern.objects.create(
        name="Day", start=time(8), end=time(16, 30), work_days=[0, 1, 2, 3, 4]
    )
    ShiftAssignment.objects.create(shift=day_shift, person=person, valid_from=MONDAY)
    return Clocking(wired, person, terminal.id, clock)


__all__ = ["MONDAY", "SUNDAY", "UTC"]
