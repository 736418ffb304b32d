"""API figures (``make bench ONLY=api``): the people list at 50,000 people and the punches list
at 1,000,000 punches, server time.

Each request goes through the whole stack in-process (WSGI handler, token authentication,
permissions, filters, pagination, serialisation) against SQLite in a temporary directory, or the
throwaway PostgreSQL of ``make bench``; the figure is the median of repeated requests. Targets:
at most 100 ms for the first page and for a deep page (people: page 999 of 50 rows; punches: the
cursor of the row 900,000 rows down, also within one person and one account).
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from benchmarks.figures import database, record
from benchmarks.harness import throwaway_database
from portal.core.packed_json import pack

PEOPLE = 50_000
REPEATS = 15
GOAL_MS = 100
PUNCHES = 1_000_000
PUNCH_ACCOUNTS = 5
#: punches are spread over this many people (PEOPLE of them exist)
PUNCHING_PEOPLE = 2_000
BATCH = 50_000


def seed_people() -> None:
    from portal.people.models import Department, Person, Position, Site

    departments = Department.objects.bulk_create(
        [Department(name=f"Department {n}", code=f"D{n}") for n in range(50)]
    )
    positions = Position.objects.bulk_create(
        [Position(name=f"Position {n}", code=f"P{n}") for n in range(20)]
    )
    sites = Site.objects.bulk_create([Site(name=f"Site {n}", code=f"S{n}") for n in range(10)])
    Person.objects.bulk_create(
        [
            Person(
                employee_code=f"{n:06d}",
                first_name=f"First{n}",
                last_name=f"Last{n % 997}",
                email=f"person{n}@example.com",
                department=departments[n % 50],
                position=positions[n % 20],
            )
            for n in range(PEOPLE)
        ],
        batch_size=5000,
    )
    through = Person.sites.through
    ids = list(Person.objects.values_list("pk", flat=True))
    through.objects.bulk_create(
        [through(person_id=pk, site_id=sites[pk % 10].pk) for pk in ids], batch_size=5000
    )


#: a punch's vendor record, packed as the pull stores it: here empty
EMPTY_RAW = pack({})
PUNCH_COLUMNS = (
    "account_id",
    "vendor_id",
    "person_id",
    "vendor_person_id",
    "punched_at",
    "direction",
    "raw",
    "source",
    "local_time",
    "time_zone",
    "received_at",
    "reason",
    "void_reason",
)


def punch_rows(accounts: list[int], people: list[int]):
    """1,000,000 punches, one every 30 s backwards from now, round-robin over people/accounts."""
    now = datetime.now(UTC)
    for n in range(PUNCHES):
        person = people[n % len(people)]
        yield (
            accounts[n % len(accounts)],
            f"bench-{n}",
            person,
            str(person),
            now - timedelta(seconds=30 * n),
            "in" if n % 2 else "out",
            EMPTY_RAW,
            "vendor",
            "",
            "UTC",
            now,
            "",
            "",
        )


def seed_punches() -> tuple[int, int]:
    """Bulk-load the punches: COPY on PostgreSQL, executemany in big batches on SQLite.
    Returns (a person, an account) the filtered figures read."""
    from django.db import connection, transaction

    from portal.people.models import Person
    from portal.sync.models import VendorAccount

    accounts = [
        VendorAccount.objects.create(
            kind="biotime", name=f"Clock {n}", base_url="http://127.0.0.1:9"
        ).pk
        for n in range(PUNCH_ACCOUNTS)
    ]
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:PUNCHING_PEOPLE])
    columns = ", ".join(PUNCH_COLUMNS)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY attendance_punch ({columns}) FROM STDIN") as copy:
                for row in punch_rows(accounts, people):
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            sql = (
                f"INSERT INTO attendance_punch ({columns}) "
                f"VALUES ({', '.join(['%s'] * len(PUNCH_COLUMNS))})"
            )
            batch = []
            for row in punch_rows(accounts, people):
                batch.append((*row[:4], adapt(row[4]), *row[5:10], adapt(row[10]), *row[11:]))
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        cursor.execute("ANALYZE")
    print(f"loaded {PUNCHES:,} punches in {time.perf_counter() - started:.0f} s", flush=True)
    return people[0], accounts[0]


def deep_cursor(**filters) -> str:
    """The cursor a client holds after reading 90 % of the (filtered) list, newest first."""
    from portal.api.pagination import encode_cursor
    from portal.attendance.models import Punch

    rows = Punch.objects.filter(**filters).order_by("-punched_at", "-pk")
    depth = rows.count() * 9 // 10
    punched_at, pk = rows.values_list("punched_at", "pk")[depth]
    return encode_cursor(punched_at, pk)


class SqlTimer:
    """Sums the time spent executing SQL (round trips included) and counts the statements."""

    def __init__(self):
        self.ms, self.queries = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.queries += 1


def median_ms(client, path: str, headers: dict) -> tuple[float, float, float, int]:
    """Median wall time, CPU time of the process (SQLite runs in it too) and time in SQL, in ms;
    and the statements per request."""
    from django.db import connection

    wall, cpu, sql, queries = [], [], [], 0
    for _ in range(REPEATS):
        timer = SqlTimer()
        started, started_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timer):
            response = client.get(path, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        sql.append(timer.ms)
        queries = timer.queries
        assert response.status_code == 200, response.content[:300]
    return statistics.median(wall), statistics.median(cpu), statistics.median(sql), queries


def main() -> int:
    os.environ.setdefault("API_RATE", "100000/minute")
    with throwaway_database():
        from django.contrib.auth import get_user_model
        from django.test import Client

        from portal.api.tokens import create_token
        from portal.core import roles

        seed_people()
        user = get_user_model().objects.create_user("bench-hr")
        user.groups.add(roles_group(roles.HR))
        _row, token = create_token(user, name="bench")
        headers = {"Authorization": f"Token {token}", "Host": "localhost"}
        client = Client()
        client.get("/api/v1/people/", headers=headers)  # warm: imports, URL resolver, caches
        paths = [
            ("api people list first page (50,000 people)", "/api/v1/people/"),
            ("api people list page 999 (50,000 people)", "/api/v1/people/?page=999"),
        ]
        person, account = seed_punches()
        paths += [
            ("api punches list first page (1,000,000 punches)", "/api/v1/punches/"),
            (
                "api punches list deep page by cursor (1,000,000 punches)",
                f"/api/v1/punches/?cursor={deep_cursor()}",
            ),
            (
                "api punches of one person, deep page (500 of 1,000,000)",
                f"/api/v1/punches/?person={person}&cursor={deep_cursor(person_id=person)}",
            ),
            (
                "api punches of one account, deep page (200,000 of 1,000,000)",
                f"/api/v1/punches/?account={account}&cursor={deep_cursor(account_id=account)}",
            ),
        ]
        client.get("/api/v1/punches/", headers=headers)  # warm
        for name, path in paths:
            wall, cpu, sql, queries = median_ms(client, path, headers)
            record(
                name,
                wall,
                "ms",
                f"<= {GOAL_MS}",
                wall <= GOAL_MS,
                note=f"median server time in-process on {database()}; CPU {cpu:.1f} ms, "
                f"{queries} SQL statements taking {sql:.1f} ms",
            )
        print_plan(person)
    return 0


def print_plan(person: int) -> None:
    """The deep pages' plans, to show which index each walks (the figures' why)."""
    from portal.attendance.days import day_windows
    from portal.attendance.models import Punch

    punched_at, pk = Punch.objects.order_by("-punched_at", "-pk").values_list("punched_at", "pk")[
        900_000
    ]
    # one person's list reads a window of days at a time (portal.attendance.days): its first
    window = next(day_windows(punched_at.date(), punched_at.date() - timedelta(days=365)))
    for filters in ({}, {"person_id": person, "day__in": window}):
        rows = (
            Punch.objects.filter(punched_at__lte=punched_at, **filters)
            .exclude(punched_at=punched_at, pk__gte=pk)
            .order_by("-punched_at", "-pk")[:101]
        )
        label = "all" if not filters else "one person, a window of days"
        print(f"plan {label}:", " | ".join(rows.explain().splitlines()[:4]))


def roles_group(name: str):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


if __name__ == "__main__":
    raise SystemExit(main())
