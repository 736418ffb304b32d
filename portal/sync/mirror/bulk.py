"""A lean bulk INSERT for the append-only logs (punches, door events), the pull's hot path.

``bulk_create`` builds a model instance and runs every field's full preparation per value; for
hundreds of thousands of punches that costs more than the vendor takes to send them. Rows here
are plain dicts of column values, converted once per field kind. SQLite (>= 3.35) inserts them
with ``ON CONFLICT DO NOTHING RETURNING``: a row already stored is skipped by its unique index.
PostgreSQL stores a page by COPY, which has no conflict handling: the rows go in with ids drawn
beforehand, and a page holding a row stored already goes through a staging table and ``ON
CONFLICT DO NOTHING`` instead (see :func:`_insert_copied`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain
from operator import itemgetter
from weakref import WeakKeyDictionary
from zlib import crc32

from django.db import IntegrityError, connection, models, transaction
from django.db.backends.sqlite3.base import Database

from portal.core.copy_text import JsonText, column_kind, copy_lines, encode_json, utc_text
from portal.core.packed_json import Packed, PackedJSONField

#: bound parameters per statement, well under SQLite's 32,766 (PostgreSQL takes 65,535)
MAX_PARAMETERS = 30_000
#: PostgreSQL: rows per slice of a COPY sent (about 64 KB of punches)
COPY_ROWS_PER_WRITE = 100


def _converter(field: models.Field):
    if isinstance(field, PackedJSONField):  # packed by the writer ahead (Packed), or here
        return field.get_prep_value
    if isinstance(field, models.JSONField):
        return lambda value: value if isinstance(value, JsonText) else encode_json(value)
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite" and connection.timezone == UTC:
            return _sqlite_datetime
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def _sqlite_datetime(value: datetime) -> str:
    """As Django's SQLite adapter writes an aware datetime (naive UTC text), a fifth the cost."""
    if value.tzinfo is None:
        return connection.ops.adapt_datetimefield_value(value)
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.microsecond:
        return str(value)[:-6]  # without its "+00:00" (replace(tzinfo=None) costs twice the rest)
    # whole seconds (every vendor punch): the UTC hour's text remembered, minutes and seconds
    # written after it (str() of an aware datetime took ~1.1 us, most of it the offset it lost)
    return utc_text(value)


def _column_converter(field: models.Field, convert):
    """``convert`` applied to a column of values (None left as it is): each distinct value once
    (a page's rows share one ``received_at``), JSON already encoded passed as it is."""
    if isinstance(field, models.JSONField | PackedJSONField):
        done = Packed if isinstance(field, PackedJSONField) else JsonText
        return lambda column: [
            value if value is None or value.__class__ is done else convert(value)
            for value in column
        ]

    def converted(column):
        texts = {value: convert(value) for value in set(column) if value is not None}
        return list(map(texts.get, column))

    return converted


def insert_new(
    model: type[models.Model], rows: list[dict], unique: list[str], returning: list[str]
) -> list[tuple]:
    """Insert ``rows`` (dicts keyed by attname, all with the same keys) that the ``unique``
    columns do not already hold; returns the ``returning`` columns of the rows inserted."""
    if not rows:
        return []
    names = list(rows[0])
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    conversions = [
        (i, _column_converter(field, fn))
        for i, (field, fn) in enumerate(zip(fields, map(_converter, fields), strict=True))
        if fn is not None
    ]
    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"
    # SQLite: its own "?" marks, sent past Django's %s rewriting (a regex over a 15,000-mark
    # statement costs more than SQLite takes to run it)
    mark = "?" if sqlite else "%s"
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    tail = " ON CONFLICT ({}) DO NOTHING RETURNING {}".format(
        ", ".join(quote(by_attname[name].column) for name in unique),
        ", ".join(quote(by_attname[name].column) for name in returning),
    )
    one_row = "(" + ", ".join([mark] * len(fields)) + ")"
    width = len(fields)
    per_statement = max(1, MAX_PARAMETERS // width)
    values_of = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    if not sqlite:
        for field in fields:  # the writers pack ahead; a row given its Python value is packed here
            if isinstance(field, PackedJSONField):
                name, pack = field.attname, field.get_prep_value
                for row in rows:
                    if row[name].__class__ is not Packed:
                        row[name] = pack(row[name])
        return _insert_copied(model, fields, rows, values_of, unique, returning)
    inserted: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            # the rows' values in one flat list, then a column at a time converted in place
            # (every width-th value): a call per value or row cost more than SQLite's insert
            params = list(chain.from_iterable(map(values_of, chunk)))
            for i, convert in conversions:
                params[i::width] = convert(params[i::width])
            with connection.wrap_database_errors:
                Database.Cursor.execute(
                    cursor.cursor, head + ", ".join([one_row] * len(chunk)) + tail, params
                )
            inserted.extend(cursor.fetchall())
    return inserted


def _insert_copied(model, fields, rows, values_of, unique, returning) -> list[tuple]:
    """PostgreSQL: the rows COPYed straight into the table, with ids drawn beforehand.

    Most pages are new to the table: their rows go in by COPY, which stores them in bulk, the
    unique index checking each as it is inserted. A page holding a row the table has already (a
    pull's overlap window, another session's insert) makes the COPY fail on that index, usually at
    its first rows: the page is then stored through :func:`_insert_staged`, which skips those.
    No query asks first which keys are new: its plan hung on the table's statistics, and a table
    filled faster than autovacuum analyzes it (a first pull) was probed by scanning it, page
    after page (10,000 people linked: 0.6 s a page by the end).
    """
    pk = model._meta.pk
    ids = _draw_ids(model, len(rows))
    next_id = iter(ids).__next__
    try:
        with transaction.atomic():  # a savepoint: the fallback continues the transaction
            _copy(
                model._meta.db_table, [*fields, pk], rows, lambda row: (*values_of(row), next_id())
            )
    except IntegrityError:
        return _insert_staged(model, fields, rows, values_of, unique, returning)
    # a column at a time: a generator per row cost more than the rest of the page's answer
    columns = [
        ids if name == pk.attname else list(map(itemgetter(name), rows)) for name in returning
    ]
    return list(zip(*columns, strict=True))


def _draw_ids(model, count: int) -> list[int]:
    """``count`` values of the model's id sequence, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass))"
            " FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _copy(table: str, fields, rows, values_of) -> None:
    """The rows into ``table`` (the fields' model's, or a staging table of its columns) by COPY.

    COPY's text format is written a column at a time (:mod:`portal.core.copy_text`).
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(table)} ({columns}) FROM STDIN"
    kinds = list(map(column_kind, fields))
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(sql) as copy:
        # sent a slice at a time: the server parses one while the next is built
        for start in range(0, len(rows), COPY_ROWS_PER_WRITE):
            copy.write(copy_lines(kinds, map(values_of, rows[start : start + COPY_ROWS_PER_WRITE])))


def _insert_staged(model, fields, rows, values_of, unique, returning) -> list[tuple]:
    """The rows COPYed into a session's staging table, moved on with
    ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING``: skips what another session
    stored meanwhile."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    staging = _staging_table(model, fields)
    move = (
        f"WITH moved AS (DELETE FROM {staging} RETURNING {columns})"
        f" INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {columns} FROM moved"
        " ON CONFLICT ({}) DO NOTHING RETURNING {}".format(
            ", ".join(quote(name) for name in unique), ", ".join(quote(n) for n in returning)
        )
    )
    with transaction.atomic(savepoint=False):
        _copy(staging, fields, rows, values_of)
        with connection.cursor() as cursor:
            cursor.execute(move)
            return cursor.fetchall()


#: the staging tables each server session has created (they last as long as the session)
_staged: WeakKeyDictionary = WeakKeyDictionary()


def _staging_table(model, fields) -> str:
    """A temporary table of these columns for this session, emptied by each move and at commit
    (never logged to the WAL: the punch's bytes are written once, to the table they belong in)."""
    table = model._meta.db_table
    columns = [field.column for field in fields]
    name = f"staging_{table}_{crc32(' '.join(columns).encode()):08x}"
    created = _staged.setdefault(connection.connection, set())
    if name not in created:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS"
                f" SELECT {', '.join(map(quote, columns))} FROM {quote(table)} WITH NO DATA"
            )
        # created in a transaction that rolls back, it is gone again: known once committed
        transaction.on_commit(lambda: created.add(name))
    return name
