"""Demo data: the demo company's Q2 users and what each of them does on each day.

A user's day (shift, PTO, a forgotten clock-out, a manager's adjustment the next morning) is
derived from (user, date) alone, so the 30 days ``demo()`` builds and what ``tick()`` adds later
are the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache

from connectors.q2.simulator.records import ADDITION, DEDUCTION, User
from connectors.simkit.demo_company import DemoPerson, build_company

_JOBS = {
    "Operations": "Dispatch",
    "Warehouse": "Picking & Packing",
    "Workshop": "Vehicle Maintenance",
    "Sales": "Customer Visits",
    "Finance": "Bookkeeping",
    "Human Resources": "HR Administration",
    "IT": "IT Support",
    "Security": "Gate Patrol",
}
_SITE_COORDINATES = {
    "HAM": ("53.5461", "9.9665"),
    "BRE": ("53.0963", "8.7780"),
    "HAN": ("52.3925", "9.7350"),
}
_NOTES = (
    "Left early for a doctor's appointment.",
    "Stayed for the late delivery.",
    "Train was late.",
)


@dataclass(frozen=True)
class Planned:
    """Something a user does at ``at`` (aware UTC)."""

    at: datetime
    kind: str  # "in", "out", "pto", "adjust"
    card_time: datetime  # the card's inDateTime (or outDateTime for "out")
    details: dict = field(default_factory=dict, hash=False, compare=False)


def job_name(department: str) -> str:
    return _JOBS.get(department, "General")


def day_plan(user: User, site: str, day: date, zone: tzinfo) -> list[Planned]:
    """What ``user`` does on local ``day`` (some of it lands on the next morning)."""
    if user.role == "Inactive" or user.user_name in _clocking_elsewhere():
        return []
    rng = random.Random(f"q2:{user.user_name}:{day.isoformat()}")
    weekend_shift = user.department == "Warehouse" and day.weekday() == 5 and rng.random() < 0.3
    if day.weekday() >= 5 and not weekend_shift:
        return []

    def local(hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)

    roll = rng.random()
    if roll < 0.04:
        reason = rng.choice(("Vacation", "Vacation", "Sick", "Personal"))
        return [Planned(local(8), "pto", local(8), {"pto_name": reason})]
    if roll < 0.07:
        return []  # absent without a card (unpaid leave, training off-site)
    start = datetime.combine(day, time(6), tzinfo=zone) + timedelta(minutes=rng.randint(0, 180))
    end = start + timedelta(minutes=rng.randint(450, 570))
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    mobile = rng.random() < 0.25
    details = {
        "shift_name": "early shift" if start < local(7) else "day shift",
        "device": "" if mobile else f"kiosk-{site}-{rng.randint(1, 2)}",
        "mobile": mobile,
        "coordinates": _SITE_COORDINATES.get(site, ("", "")),
        "ip": f"10.{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(2, 250)}",
        "note": rng.choice(_NOTES) if rng.random() < 0.03 else "",
    }
    plan = [Planned(start, "in", start, details)]
    if rng.random() < 0.015:  # forgot to clock out: the manager fixes it the next morning
        plan.append(Planned(local(10) + timedelta(days=1), "out", end, {"fixed": True}))
    else:
        plan.append(Planned(end, "out", end, {}))
    if rng.random() < 0.03:
        kind = rng.choice((ADDITION, DEDUCTION))
        plan.append(
            Planned(
                local(9) + timedelta(days=1),
                "adjust",
                local(12),
                {
                    "entry_type": kind,
                    "hours": rng.choice(("0.500", "1.000", "1.500")),
                    "adjust_type_name": (
                        "Overtime correction" if kind == ADDITION else "Unpaid break"
                    ),
                },
            )
        )
    return plan


@cache
def _clocking_elsewhere() -> frozenset[str]:
    """User names of the demo team: users here, but their punches come from another clock."""
    company = build_company()
    return frozenset(
        _user_name(p.seen_by("q2"), p.code)
        for p in company.people_in("q2")
        if not company.keeps_time("q2", p)
    )


def _user_name(seen: dict[str, str], code: str) -> str:
    return f"{seen['first_name']}{seen['last_name']}{int(code)}".lower()


def demo_users(company_zone: str) -> list[tuple[User, str]]:
    """The demo company's Q2 people as Q2 users, each with their site code."""
    people = build_company().people_in("q2")
    by_code = {p.code: p for p in build_company().people}
    admin = next((p.code for p in people if p.department == "Human Resources"), people[0].code)
    return [(_user(i, p, by_code, admin, company_zone), p.site) for i, p in enumerate(people)]


def _user(index: int, person: DemoPerson, by_code: dict, admin: str, zone: str) -> User:
    seen = person.seen_by("q2")
    rng = random.Random(f"q2-user:{person.code}")
    if person.code == admin:
        role = "Admin"
    elif index % 19 == 4:
        role = "Inactive"
    elif person.manager_code is None:
        role = "Manager"
    else:
        role = "Employee"
    hourly = person.department in ("Warehouse", "Workshop", "Operations", "Security")
    created = datetime.combine(max(person.hire_date, date(2021, 6, 1)), time(14, 0), tzinfo=UTC)
    updated = created + timedelta(days=rng.randint(0, 400))
    manager = by_code.get(person.manager_code)
    return User(
        seq=index,
        first_name=seen["first_name"],
        last_name=seen["last_name"],
        user_name=_user_name(seen, person.code),
        digit_id=str(100000 + int(person.code) * 7919 % 900000),
        # Q2 does not require a personnel number and some were never filled in
        employee_number="" if index % 15 == 7 else seen["code"],
        email=seen["email"],
        mobile_phone=person.phone if rng.random() < 0.6 else "",
        role=role,
        department=person.department,
        hired=person.hire_date,
        full_part_time="Part Time" if rng.random() < 0.15 else "Full Time",
        rate_type="Hourly Rate" if hourly else "Salary Rate",
        pay_rate=f"{rng.randint(1500, 2800) / 100 if hourly else rng.randint(38, 75) * 100:.2f}",
        time_zone=zone,
        point_of_contact=manager.full_name if manager else "",
        date_of_birth=date(1965, 1, 1) + timedelta(days=rng.randint(0, 13000)),
        over_time_rule="Overtime after 40h/week" if hourly else "",
        created_at=created,
        updated_at=updated,
    )


def large_users(count: int, created: datetime, zone: str) -> list[User]:
    """Synthetic users for load tests, spread over a few departments."""
    departments = list(_JOBS)
    return [
        User(
            seq=i,
            first_name=f"User{i:05d}",
            last_name=("Becker", "Fischer", "Hansen", "Kruse", "Meyer")[i % 5],
            user_name=f"user{i:05d}",
            digit_id=str(100000 + i),
            employee_number=f"{i + 1:06d}",
            email=f"user{i:05d}@large.example",
            mobile_phone="",
            role="Employee",
            department=departments[i % len(departments)],
            hired=date(2020, 1, 1),
            full_part_time="Full Time",
            rate_type="Hourly Rate",
            pay_rate="20.00",
            time_zone=zone,
            point_of_contact="",
            date_of_birth=date(1990, 1, 1),
            over_time_rule="",
            created_at=created,
            updated_at=created,
        )
        for i in range(count)
    ]
