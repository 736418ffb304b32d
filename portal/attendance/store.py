"""Writing computed cards in one upsert batch: the full build writes hundreds of thousands.

``bulk_create(update_conflicts=True)`` prepares every value of every model instance field by
field; here the rows are plain tuples, converted once per row by one function and sent with
``INSERT ... ON CONFLICT (person, day) DO UPDATE``: with ``executemany`` on SQLite; on
PostgreSQL (many rows) ``COPY`` into a temporary table, then one ``INSERT ... SELECT``: a
statement a row would cost a round trip each. That statement is sent in pipeline mode, so the
caller's next chunk is computed while the server inserts (the full build's two halves, Python and
PostgreSQL, on two cores instead of taking turns).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC
from typing import TypeVar

from django.db import connection, transaction

from portal.attendance.models import Punch, TimeCard
from portal.core import copy_text
from portal.core.copy_text import JsonText

T = TypeVar("T")

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
STAGING = "timecard_upsert"  # PostgreSQL: the rows are copied here, then upserted in one go
COPY_FROM = 500  # rows; fewer go as plain statements (a temporary table costs a few ms)

_json = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: json.dumps makes one a call
_PLAIN = frozenset("0123456789-:.+TZ ")  # what ISO times are made of: nothing JSON escapes


def _pairs_json(pairs) -> str:
    """``_json(pairs)``, written out: [[start, end], ...] of ISO text or None. The encoder sets
    itself up on every call, a quarter of a million times a full build."""
    parts = []
    for pair in pairs:
        if len(pair) != 2:
            return _json(pairs)
        texts = []
        for value in pair:
            if value is None:
                texts.append("null")
            elif type(value) is str and _PLAIN.issuperset(value):
                texts.append(f'"{value}"')
            else:
                return _json(pairs)
        parts.append(f"[{texts[0]},{texts[1]}]")
    return f"[{','.join(parts)}]"


def _sqlite_datetime(value) -> str:
    """As Django stores it on SQLite: naive UTC text (the values here are aware)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ")[:-6]  # without its "+00:00"


def _preparer():
    """A function from a row of Python values to the row of database values."""
    ops = connection.ops
    moment = _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    day = ops.adapt_datefield_value
    flags_text: dict[tuple, str] = {}  # a few dozen combinations of flags in a whole build
    moments: dict = {}  # updated_at is one instant for a whole build

    def prepare(row):
        (person, work_date, first_in, last_out, *minutes, flags, pairs, status, arrived, at) = row
        key = tuple(flags)
        text = flags_text.get(key)
        if text is None:
            text = flags_text[key] = _json(flags)
        stamp = moments.get(at)
        if stamp is None:
            stamp = moments[at] = moment(at)
        return (
            person,
            day(work_date),
            None if first_in is None else moment(first_in),
            None if last_out is None else moment(last_out),
            *minutes,
            text,
            _pairs_json(pairs),
            status,
            arrived,
            stamp,
        )

    return prepare


#: COPY text kinds of COLUMNS, from their fields (flags and pairs: encoded here, see _copy_text)
_KINDS = [copy_text.column_kind(TimeCard._meta.get_field(name)) for name in COLUMNS]
_FLAGS, _PAIRS = COLUMNS.index("flags"), COLUMNS.index("pairs")
SLICE = 200  # rows written a column at a time


def _copy_text(rows: list[tuple]) -> str:
    """Rows in COLUMNS order as COPY's text format, a line each (:mod:`portal.core.copy_text`):
    a row through the driver's ``write_row`` (after a prepared row of database values) was a
    tenth of a dirty-day run's CPU. Instants as ``isoformat()`` (with their offset: the same
    instants the driver sends). Flags and pairs are encoded here: a few dozen combinations of
    flags in a whole build, pairs written out by :func:`_pairs_json`."""
    flags_text: dict[tuple, JsonText] = {}
    parts = []
    for start in range(0, len(rows), SLICE):  # a slice's columns stay in the CPU's cache
        columns = list(zip(*rows[start : start + SLICE], strict=True))
        flags = []
        for value in columns[_FLAGS]:
            key = tuple(value)
            text = flags_text.get(key)
            if text is None:
                text = flags_text[key] = JsonText(_json(value))
            flags.append(text)
        columns[_FLAGS] = flags
        columns[_PAIRS] = [JsonText(_pairs_json(pairs)) for pairs in columns[_PAIRS]]
        parts.append(copy_text.copy_columns(_KINDS, columns))
    return "".join(parts)


def upsert_cards(rows: list[tuple], *, meanwhile: Callable[[], T] | None = None) -> T | None:
    """``rows``: tuples in COLUMNS order (Python values). ``meanwhile``: work with no query that
    runs while the database stores the rows (on PostgreSQL; elsewhere after); returns its result.
    """
    if not rows:
        return meanwhile() if meanwhile else None
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in COLUMNS)
    table = quote(TimeCard._meta.db_table)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in COLUMNS[2:])
    conflict = f"ON CONFLICT ({quote('person_id')}, {quote('work_date')}) DO UPDATE SET {updates}"
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        with transaction.atomic(), connection.cursor() as cursor:  # the staging table's life
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DROP"
                f" AS SELECT {names} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {STAGING}")
            with cursor.cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN") as copy:
                for start in range(0, len(rows), BATCH):
                    copy.write(_copy_text(rows[start : start + BATCH]))
            # pipeline mode: the statement is sent and runs on the server while ``meanwhile``
            # runs here; leaving the block waits for it (and raises its error, as Django's)
            with connection.wrap_database_errors, cursor.cursor.connection.pipeline():
                cursor.cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {names} FROM {STAGING} {conflict}"
                )
                return meanwhile() if meanwhile else None
    params = list(map(_preparer(), rows))
    # SQLite's executemany runs one prepared statement; a week is a few rows anywhere
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) {conflict}"
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])
    return meanwhile() if meanwhile else None


def stored_digest(person_ids=None) -> str:
    """sha256 over every stored card (its columns but ``updated_at``) in (person, day) order, and
    over every punch's repeat link: two builds that stored the same give the same digest (the
    timecard benchmark and tests compare builds with it). ``person_ids``: only theirs."""
    digest = hashlib.sha256()
    cards = TimeCard.objects.order_by("person_id", "work_date")
    repeats = Punch.objects.filter(duplicate_of__isnull=False).order_by("pk")
    if person_ids is not None:
        cards = cards.filter(person_id__in=person_ids)
        repeats = repeats.filter(person_id__in=person_ids)
    for row in cards.values_list(*COLUMNS[:-1]).iterator(chunk_size=20_000):
        digest.update(repr(row).encode())
    for row in repeats.values_list("pk", "duplicate_of_id").iterator(chunk_size=20_000):
        digest.update(repr(row).encode())
    return digest.hexdigest()
