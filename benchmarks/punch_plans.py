"""The plan of every reader of one person's punches, on a table of the punch benchmark's company
(5,000 people, four punches a day each): ``python -m benchmarks.punch_plans [punches]``.

Each reader runs as the portal runs it; the statements it sends to the punch table are caught
and explained with their parameters (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL), with
the time the reader took. Not a figure for var/bench.json: what the lead reads to check that no
reader walks the table (a person with no punch for a year included).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

from benchmarks.harness import throwaway_database
from benchmarks.punch_store import FIRST_DAY, PEOPLE, PUNCHES_A_DAY, bulk_load, setup_company


def caught(call) -> tuple[list[tuple[str, tuple]], float]:
    from django.db import connection

    statements = []

    def catch(execute, sql, params, many, context):
        if "attendance_punch" in sql and not sql.lstrip().upper().startswith(("EXPLAIN", "SAVE")):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(catch):
        call()
    return statements, time.perf_counter() - start


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join("    " + row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(f"    {row[-1]}" for row in cursor.fetchall())


def main(argv: list[str]) -> None:
    size = int(argv[0]) if argv else 1_000_000
    with throwaway_database():
        from django.contrib.auth import get_user_model
        from django.db import connection
        from rest_framework.test import APIRequestFactory, force_authenticate

        from portal.api.resources.attendance import PunchViewSet
        from portal.attendance.compute import _load_punches
        from portal.attendance.models import Punch
        from portal.attendance.selectors import day_punches
        from portal.people.models import Person
        from portal.sync.models import VendorAccount
        from portal.sync.punch_outbox import _already_held

        account, people, _devices = setup_company()
        bulk_load(account.pk, people, _devices, 0, size)
        days = size // (PEOPLE * PUNCHES_A_DAY)
        last_day = (FIRST_DAY + timedelta(days=days - 1)).date()
        # a person who left a year before the last day: their punches stop there
        gone = Person.objects.create(first_name="Gone", last_name="Away", employee_code="gone")
        Punch.objects.create(
            account=account,
            vendor_id="gone",
            person=gone,
            punched_at=FIRST_DAY - timedelta(days=365),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        anna = Person.objects.get(pk=people[17])
        admin = get_user_model().objects.create_superuser("plans", "plans@example.com", "x")
        factory = APIRequestFactory()
        listing = PunchViewSet.as_view({"get": "list"})

        def api(person):
            def call():
                request = factory.get(
                    "/api/v1/punches/", {"person": person.pk}, HTTP_HOST="localhost"
                )
                force_authenticate(request, user=admin)
                response = listing(request)
                assert response.status_code == 200, response.data

            return call

        since = datetime.combine(last_day, datetime.min.time(), UTC)
        readers = {
            f"timecards: _load_punches, 200 people, one week ({last_day - timedelta(6)}"
            f" .. {last_day})": lambda: _load_punches(
                people[:200], last_day - timedelta(6), last_day
            ),
            f"day panel: day_punches, one person-day ({last_day})": lambda: day_punches(
                anna, last_day
            ),
            "API /punches/?person=, an active person, newest first": api(anna),
            "API /punches/?person=, a person with no punch for a year": api(gone),
            "outbox: _already_held, a page of 200 people over an hour": lambda: _already_held(
                list(VendorAccount.objects.all()),
                people[:200],
                [
                    Punch(punched_at=since + timedelta(hours=7)),
                    Punch(punched_at=since + timedelta(hours=8)),
                ],
            ),
        }
        print(f"{connection.vendor}: {Punch.objects.count():,} punches, {days} days")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT avg(pg_column_size(p.*)), avg(pg_column_size(p.raw))"
                    " FROM attendance_punch p"
                )
                row, raw = cursor.fetchone()
            print(f"row {row:.0f} B, of it raw {raw:.0f} B packed")
        for name, call in readers.items():
            statements, seconds = caught(call)
            print(f"\n{name}: {seconds * 1000:.1f} ms, {len(statements)} statements")
            for sql, params in statements:
                print(f"  {sql[:160]}{'...' if len(sql) > 160 else ''}")
                print(explain(sql, params))
        # a person deleted (admin only): Django sets their punches' person to NULL
        sql = "UPDATE attendance_punch SET person_id = NULL WHERE person_id IN (%s)"
        print("\nperson deleted (admin only, SET_NULL):\n  " + sql)
        print(explain(sql, [anna.pk]))


if __name__ == "__main__":
    main(sys.argv[1:])
