"""Who is in WorkTime One: the demo company's WorkTime people, departments, two TTLock locks per
site, and the synthetic employees ``large()`` makes by index."""

from __future__ import annotations

import random
import re
from array import array
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from connectors.simkit.demo_company import DEPARTMENTS, SITES, DemoPerson, build_company
from connectors.worktime.simulator.directory import GeneratedEmployees
from connectors.worktime.simulator.records import (
    ACTIVE,
    INACTIVE,
    Department,
    Employee,
    SmartLock,
    employee_id,
)

#: the demo company's departments, plus the document's example department (dept_789, used by its
#: create-employee example) so the document's requests work as written
DEPARTMENT_LIST = [Department(f"dept_{101 + n}", name) for n, name in enumerate(DEPARTMENTS)]
DEPARTMENT_LIST.append(Department("dept_789", "Marketing"))
GENERATED_DEPARTMENTS = DEPARTMENT_LIST[: len(DEPARTMENTS)]
DEPARTMENT_BY_NAME = {d.name: d for d in DEPARTMENT_LIST}

#: department -> (shift start, annual base salary in EUR)
_DEPARTMENT_PROFILE = {
    "Operations": (time(6, 0), 42000),
    "Warehouse": (time(6, 0), 36000),
    "Workshop": (time(7, 0), 45000),
    "Sales": (time(8, 30), 52000),
    "Finance": (time(8, 30), 58000),
    "Human Resources": (time(8, 30), 50000),
    "IT": (time(8, 30), 62000),
    "Security": (time(22, 0), 38000),  # the night shift: clock events after midnight
}
DEFAULT_SHIFT_START = time(8, 30)


def shift_start_for(department: Department | None) -> time:
    if department is None:
        return DEFAULT_SHIFT_START
    return _DEPARTMENT_PROFILE.get(department.name, (DEFAULT_SHIFT_START, 0))[0]


def demo_people() -> list[DemoPerson]:
    return build_company().people_in("worktime")


def demo_locks() -> dict[str, list[SmartLock]]:
    """Two TTLock locks per site: the first door has a gateway, the second syncs through phones."""
    locks: dict[str, list[SmartLock]] = {}
    number = 789
    for site in SITES:
        for position, door in enumerate(site.doors[:2]):
            rng = random.Random(f"worktime-lock:{site.code}:{door}")
            mac = ":".join(f"{rng.randrange(256):02X}" for _ in range(6))
            locks.setdefault(site.code, []).append(
                SmartLock(
                    id=f"lock_{number}",
                    name=f"{site.name} – {door}",
                    location=site.name,
                    ttlock_id=4_100_000 + number,
                    mac=mac,
                    has_gateway=position == 0,
                    battery_level=rng.randint(55, 100),
                )
            )
            number += 1
    return locks


def employee_from_person(index: int, person: DemoPerson, zone: tzinfo) -> Employee:
    seen = person.seen_by("worktime")
    department = DEPARTMENT_BY_NAME[person.department]
    start, base = _DEPARTMENT_PROFILE[person.department]
    rng = random.Random(f"worktime-salary:{person.code}")
    salary = base + rng.randrange(0, 15000, 500) + (12000 if "Lead" in person.position else 0)
    joined = max(person.hire_date, date(2022, 1, 10))  # when the company started using WorkTime
    return Employee(
        id=employee_id(index),
        index=index,
        name=f"{seen['first_name']} {seen['last_name']}",
        email=seen["email"],
        department=department,
        position=person.position,
        salary=salary,
        status=INACTIVE if index % 23 == 11 else ACTIVE,  # left: soft-deleted, kept for payroll
        start_date=person.hire_date,
        created_at=datetime.combine(joined, time(9, 0), tzinfo=zone).astimezone(UTC),
        shift_start=start,
    )


# -- large() -------------------------------------------------------------------------------------
_FIRST = (
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Jonas",
    "Karla",
    "Lukas",
    "Mara",
)
_LAST = ("Becker", "Fischer", "Hansen", "Kruse", "Meyer", "Schulz", "Vogt", "Wagner", "Lange")
_LARGE_EMAIL = re.compile(r"^[a-z]+\.[a-z]+\.(\d{7,})@large\.example$")


def generated_employees(count: int, created: datetime) -> GeneratedEmployees:
    """``count`` employees by index: department ``index % 8``, every 25th one inactive."""
    departments = len(GENERATED_DEPARTMENTS)

    def make(index: int) -> Employee:
        first = _FIRST[index % len(_FIRST)]
        last = _LAST[(index // len(_FIRST)) % len(_LAST)]
        department = GENERATED_DEPARTMENTS[index % departments]
        return Employee(
            id=employee_id(index),
            index=index,
            name=f"{first} {last}",
            email=f"{first}.{last}.{index:07d}@large.example".lower(),
            department=department,
            position="Operator",
            salary=36000 + (index * 7919) % 30000,
            status=INACTIVE if index % 25 == 24 else ACTIVE,
            start_date=(created - timedelta(days=index % 2000)).date(),
            created_at=created + timedelta(seconds=index),
            shift_start=shift_start_for(department),
        )

    def email_index(email: str) -> int | None:
        match = _LARGE_EMAIL.match(email)
        if not match or int(match.group(1)) >= count:
            return None
        index = int(match.group(1))
        return index if make(index).email == email else None

    buckets = {}
    for slot, department in enumerate(GENERATED_DEPARTMENTS):
        members = range(slot, count, departments)
        buckets[(department.id, ACTIVE)] = array("I", [i for i in members if i % 25 != 24])
        buckets[(department.id, INACTIVE)] = array("I", [i for i in members if i % 25 == 24])
    return GeneratedEmployees(count, make, email_index, buckets)
