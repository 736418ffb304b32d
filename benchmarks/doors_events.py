"""Event feed figures on 5,000,000 door events (``make bench ONLY=doors``).

The rows are generated inside the database (a recursive CTE on SQLite, ``generate_series`` on
PostgreSQL) so filling takes a minute, not an hour; the indexes are the migration's own. Each
figure is the median server time of a request through Django's test client (middleware,
permissions, view, template), and the queries it sent.

1. First page of the feed, no filter. Goal: <= 100 ms, <= 10 queries.
2. A filtered search: one site, one kind, a person's surname. Goal: <= 100 ms, <= 10 queries.
3. A page deep in the history (keyset cursor half-way back). Goal: <= 100 ms.
4. A live poll with nothing new (answers 204). Goal: <= 100 ms.

SQLite in a temporary directory by default; ``--postgres`` uses the database in DATABASE_URL
(run it under ``scripts/with-postgres``).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

from benchmarks.figures import record

EVENTS = int(os.environ.get("BENCH_DOOR_EVENTS", "5000000"))
SITES, DOORS_PER_SITE, PEOPLE = 4, 10, 2000
STEP_SECONDS = 6  # 5 million events six seconds apart: about a year of history
START_EPOCH = 1_735_689_600  # 2025-01-01 00:00 UTC
RUNS = 7
TEMP = tempfile.TemporaryDirectory(prefix="workgate-bench-doors-")


def setup(postgres: bool) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CACHE_BACKEND"] = "locmem"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
    if not postgres:
        os.environ.pop("DATABASE_URL", None)
        # BENCH_DOORS_VAR keeps the filled database between runs; else a temporary directory
        os.environ["WORKGATE_VAR_DIR"] = os.environ.get("BENCH_DOORS_VAR") or TEMP.name
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def fill() -> dict:
    from django.db import connection

    from portal.doors.models import Door, DoorEvent
    from portal.people.models import Person, Site
    from portal.sync.models import VendorAccount

    if DoorEvent.objects.order_by("-id").values_list("id", flat=True).first() == EVENTS:
        print(f"  reusing the {EVENTS:,} events already filled", flush=True)
        sites = list(Site.objects.order_by("pk"))
        return {"site": sites[(3 * 42) % SITES].pk, "surname": "Surname0042"}

    account = VendorAccount.objects.create(
        kind="biostar", name="Bench BioStar", base_url="http://x"
    )
    sites = [Site.objects.create(name=f"Site {n}", code=f"S{n}") for n in range(SITES)]
    doors = Door.objects.bulk_create(
        Door(account=account, vendor_id=str(n), name=f"Door {n}", site=sites[n % SITES])
        for n in range(SITES * DOORS_PER_SITE)
    )
    people = Person.objects.bulk_create(
        Person(first_name=f"First{n}", last_name=f"Surname{n:04d}", employee_code=f"{n:05d}")
        for n in range(PEOPLE)
    )
    table = DoorEvent._meta.db_table
    door0, person0 = doors[0].pk, people[0].pk
    kind = (
        "CASE WHEN i % 50 = 0 THEN 'denied' WHEN i % 997 = 0 THEN 'forced_open' "
        "WHEN i % 1999 = 0 THEN 'held_open' ELSE 'granted' END"
    )
    columns = (
        "account_id, door_id, device_id, occurred_at, kind, method, person_id, vendor_user_id, "
        "vendor_code, vendor_key, description, raw"
    )
    n_doors = len(doors)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            # the migration's indexes, dropped while filling and built again after: much faster
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(
                f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {EVENTS}) "
                f"INSERT INTO {table} ({columns}) SELECT {account.pk}, {door0} + (i % {n_doors}), "
                f"NULL, datetime({START_EPOCH} + i * {STEP_SECONDS}, 'unixepoch'), {kind}, 'card', "
                f"CASE WHEN i % 5 = 0 THEN NULL ELSE {person0} + ((i * 7919) % {PEOPLE}) END, "
                f"'', '4096', 'k' || i, '', '{{}}' FROM n"
            )
            for _, sql in indexes:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        else:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {account.pk}, {door0} + (i % {n_doors}), "
                f"NULL, to_timestamp({START_EPOCH} + i * {STEP_SECONDS}), {kind}, 'card', "
                f"CASE WHEN i % 5 = 0 THEN NULL ELSE {person0} + ((i * 7919) % {PEOPLE}) END, "
                f"'', '4096', 'k' || i, '', '{{}}'::jsonb FROM generate_series(1, {EVENTS}) AS i"
            )
            cursor.execute(f"ANALYZE {table}")
    print(f"  filled {EVENTS:,} events in {time.perf_counter() - started:.0f} s", flush=True)
    # person k is generated only at doors of site 3k mod 4 (7919 = 3 mod 4): search where they are
    return {"site": sites[(3 * 42) % SITES].pk, "surname": "Surname0042"}


def measure(client, path: str, params: dict) -> tuple[float, int, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, database, queries, status = [], [], 0, 0
    headers = params.pop("_headers", None)
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path, params, headers=headers)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - start) * 1000)
        database.append(sum(float(q["time"]) for q in captured) * 1000)
        queries, status = len(captured), response.status_code
    return statistics.median(timings), queries, status, statistics.median(database)


def main(argv: list[str]) -> int:
    postgres = "--postgres" in argv
    vendor = setup(postgres)
    from django.test import Client
    from django.urls import reverse

    from portal.doors.feed import Cursor
    from portal.doors.models import DoorEvent
    from tests.factories import UserFactory

    print(f"  database: {vendor}{' (SQLite in a temp dir)' if vendor == 'sqlite' else ''}")
    given = fill()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench").first() or UserFactory(
        username="bench", is_superuser=True
    )
    client = Client()
    client.force_login(user)
    feed = reverse("doors:event-list")
    note = f"{EVENTS:,} events, {vendor}"
    ok = True

    def report(name, ms, queries, status, database_ms, max_queries=10):
        nonlocal ok
        met = ms <= 100 and queries <= max_queries and status in (200, 204)
        ok &= met
        detail = f"{queries} queries taking {database_ms:.1f} ms, {note}"
        record(f"doors: {name} ms", ms, "ms", "<= 100", met, detail)

    report("event feed first page", *measure(client, feed, {}))
    search = {"site": given["site"], "kind": "granted", "q": given["surname"]}
    report("event feed filtered search", *measure(client, feed, search))
    middle = DoorEvent.objects.order_by("-occurred_at", "-id")[EVENTS // 2 : EVENTS // 2 + 1].get()
    report(
        "event feed page half-way back", *measure(client, feed, {"after": str(Cursor.of(middle))})
    )
    newest = DoorEvent.objects.order_by("-occurred_at", "-id").first()
    live = {"newer": str(Cursor.of(newest)), "_headers": {"HX-Request": "true"}}
    report("event feed live poll, nothing new", *measure(client, feed, live))
    TEMP.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
