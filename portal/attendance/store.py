"""Writing computed cards in one upsert batch: the full build writes hundreds of thousands.

``bulk_create(update_conflicts=True)`` prepares every value of every model instance field by
field; here the rows are plain tuples, converted once per column kind and sent with
``executemany`` as ``INSERT ... ON CONFLICT (person, day) DO UPDATE`` (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from datetime import UTC

from django.db import connection

from portal.attendance.models import TimeCard

COLUMNS = [
    "person_id",
    "work_date",
    "first_in",
    "last_out",
    "worked_minutes",
    "break_minutes",
    "overtime_minutes",
    "weekly_overtime_minutes",
    "late_minutes",
    "early_minutes",
    "flags",
    "pairs",
    "status",
    "arrived_after_approval",
    "updated_at",
]
BATCH = 5000


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _sqlite_datetime(value) -> str:
    """As Django stores it on SQLite: naive UTC text (the values here are aware)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def upsert_cards(rows: list[tuple]) -> int:
    """``rows``: tuples in COLUMNS order (Python values). Returns how many were written."""
    if not rows:
        return 0
    ops = connection.ops
    moment = _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    convert = {
        1: ops.adapt_datefield_value,
        2: moment,
        3: moment,
        10: _dumps,
        11: _dumps,
        14: moment,
    }
    quote = ops.quote_name
    names = ", ".join(quote(c) for c in COLUMNS)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in COLUMNS[2:])
    sql = (
        f"INSERT INTO {quote(TimeCard._meta.db_table)} ({names}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
        f"ON CONFLICT ({quote('person_id')}, {quote('work_date')}) DO UPDATE SET {updates}"
    )
    params = [
        [
            convert[i](value) if i in convert and value is not None else value
            for i, value in enumerate(row)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])
    return len(rows)
