"""Demo data: the demo company's Zeitstrom people, their working pattern and 30 days of history.

Each person's day is derived from (person, date) alone, so the history built by ``demo()`` and the
activity ``tick()`` adds later agree, and the same seed always gives the same company.
"""

from __future__ import annotations

import random
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from connectors.simkit.demo_company import DemoPerson, build_company
from connectors.zeitstrom.simulator.records import Employee

_EMPLOYEE_NAMESPACE = uuid.UUID("2f1d6c1e-6b1a-4c55-9d0e-5e17a0000000")


@dataclass(frozen=True)
class Shift:
    checkin: datetime  # aware UTC
    checkout: datetime


def shift_for(key: str, day: date, zone: tzinfo) -> Shift | None:
    """When ``key`` works on ``day`` (local dates and times in ``zone``), or None for a day off."""
    rng = random.Random(f"zeitstrom:{key}:{day.isoformat()}")
    if day.weekday() >= 5 and rng.random() > 0.05:
        return None
    if rng.random() < 0.07:  # ill, on holiday, working from a client's site
        return None
    start = datetime.combine(day, time(6, 30), tzinfo=zone) + timedelta(minutes=rng.randint(0, 150))
    length = timedelta(minutes=rng.randint(450, 580))
    return Shift(start.astimezone(UTC), (start + length).astimezone(UTC))


def employee_id_for(person: DemoPerson) -> str:
    return str(uuid.uuid5(_EMPLOYEE_NAMESPACE, person.code))


def demo_people() -> list[DemoPerson]:
    return build_company().people_in("zeitstrom")


def clocks_in_zeitstrom_itself(person: DemoPerson) -> bool:
    """People with no BioTime/BioStar badge use Zeitstrom's app; the others' punches are pushed
    by Workgate, so the simulator must not check them in on its own (that would collide)."""
    return not ({"biotime", "biostar"} & person.systems)


def employee_from_person(index: int, person: DemoPerson, now: datetime, zone: tzinfo) -> Employee:
    seen = person.seen_by("zeitstrom")
    hired = datetime.combine(max(person.hire_date, date(2019, 3, 1)), time(9, 0), tzinfo=zone)
    created = hired.astimezone(UTC)
    modified = min(created + timedelta(days=3 + index * 11 % 400), now - timedelta(days=31))
    # the payroll import filled external_id for some people, with its own prefix for others
    external_id = (None, seen["code"], f"LOHN-{seen['code']}")[index % 3]
    archived_at = None
    if index % 17 == 9:  # left the company a little while ago
        archived_at = now - timedelta(days=40 + index)
        modified = archived_at
    return Employee(
        id=employee_id_for(person),
        created_at=created,
        modified_at=max(modified, created),
        first_name=seen["first_name"],
        last_name=seen["last_name"],
        email=seen["email"],
        external_id=external_id,
        accounting_number=seen["code"],
        archived_at=archived_at,
    )


def large_employee(index: int, created: datetime) -> Employee:
    """A synthetic employee for load tests."""
    rng = random.Random(f"zeitstrom-large:{index}")
    first = rng.choice(("Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Jonas"))
    last = rng.choice(("Becker", "Fischer", "Hansen", "Kruse", "Meyer", "Schulz", "Vogt"))
    code = f"{index + 1:06d}"
    return Employee(
        id=str(uuid.uuid5(_EMPLOYEE_NAMESPACE, f"large-{index}")),
        created_at=created,
        modified_at=created,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}.{code}@large.example".lower(),
        external_id=None,
        accounting_number=code,
    )


def seed_history(sim, since: datetime, now: datetime) -> None:
    """Closed timespans up to yesterday for everyone (pushed by the earlier integration) and up
    to now, open ones included, for people who clock in Zeitstrom itself. Not for the demo
    team: their check-ins are the ones Workgate pushes from their clock."""
    zone = sim.zone
    company = build_company()
    pushed_only = {
        employee_id_for(p) for p in demo_people() if not company.keeps_time("zeitstrom", p)
    }
    today = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    day = since.astimezone(zone).date()
    while day <= now.astimezone(zone).date():
        for employee in sorted(sim.employees.values(), key=lambda e: (e.created_at, e.id)):
            shift = shift_for(employee.accounting_number, day, zone)
            if shift is None or shift.checkin < since or employee.id in pushed_only:
                continue
            if employee.archived_at and shift.checkin >= employee.archived_at:
                continue
            own = employee.id in sim.self_clocking
            if own or shift.checkout <= today:
                _seed_timespan(sim.timespans, employee, shift, own, now)
        day += timedelta(days=1)


def _seed_timespan(timespans, employee: Employee, shift: Shift, own: bool, now: datetime) -> None:
    late = zlib.crc32(f"{employee.id}{shift.checkin}".encode()) % 20 == 0  # phone offline for hours
    upload = shift.checkin + (timedelta(hours=3) if late else timedelta(seconds=40))
    upload = shift.checkin if upload > now else upload
    timespans.create(employee.id, shift.checkin, None, "terminal" if own else "app", upload)
    if shift.checkout <= now:
        timespans.check_out(employee.id, shift.checkout, max(shift.checkout, upload))


def self_clocking_events(sim, start: datetime, now: datetime) -> list[tuple[datetime, int, str]]:
    """(when, 1 for a check-out else 0, employee id) for Zeitstrom's own app users, in
    (start, now]."""
    events = []
    day = start.astimezone(sim.zone).date() - timedelta(days=1)
    while day <= now.astimezone(sim.zone).date():
        for employee_id in sim.self_clocking:
            employee = sim.employees.get(employee_id)
            if employee is None or employee.archived_at is not None:
                continue
            shift = shift_for(employee.accounting_number, day, sim.zone)
            if shift is None:
                continue
            if start < shift.checkin <= now:
                events.append((shift.checkin, 0, employee_id))
            if start < shift.checkout <= now:
                events.append((shift.checkout, 1, employee_id))
        day += timedelta(days=1)
    return sorted(events)
