"""A lean bulk INSERT for the append-only logs (punches, door events), the pull's hot path.

``bulk_create`` builds a model instance and runs every field's full preparation per value; for
hundreds of thousands of punches that costs more than the vendor takes to send them. Rows here
are plain dicts of column values, converted once per field kind. SQLite (>= 3.35) inserts them
with ``ON CONFLICT DO NOTHING RETURNING``: a row already stored is skipped by its unique index.
PostgreSQL stores a page by COPY, which has no conflict handling: one statement first probes the
unique index for the page's keys and draws ids for the new rows (see :func:`_insert_copied`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import chain
from operator import itemgetter
from weakref import WeakKeyDictionary
from zlib import crc32

import orjson
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.sqlite3.base import Database

from connectors.timezones import zone_hours
from portal.core.pg_arrays import array_literal

#: bound parameters per statement, well under SQLite's 32,766 (PostgreSQL takes 65,535)
MAX_PARAMETERS = 30_000
#: PostgreSQL: rows per slice of a COPY sent (about 64 KB of punches)
COPY_ROWS_PER_WRITE = 100


class JsonText(str):
    """A JSON column's value already encoded (the writer checked it once): inserted as it is."""


def encode_json(value) -> JsonText:
    """``value`` as compact JSON text: the values ``json.dumps(..., default=str)`` writes.

    orjson writes non-ASCII characters as UTF-8 rather than ``\\u`` escapes (the same text once
    read) and a NaN as null (json writes ``NaN``, which is not JSON and PostgreSQL refuses).
    Dates and times go to ``str`` as json has them; what orjson refuses (an integer past 64 bits,
    a key that is not text) is written by json.
    """
    try:  # orjson: a tenth of json's time (4 s of a 200,000-punch pull)
        return JsonText(orjson.dumps(value, default=str, option=_ORJSON_AS_JSON).decode())
    except orjson.JSONEncodeError:
        pass
    return JsonText(json.dumps(value, separators=(",", ":"), default=str))


#: orjson writes datetimes its own way (a "T") and dataclasses as objects; json hands both to str
_ORJSON_AS_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _converter(field: models.Field):
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
    return _utc_text(value)


#: an aware UTC datetime as "YYYY-MM-DD HH:MM:SS" (UTC's hours, remembered as any zone's are)
_utc_text = zone_hours("UTC").local_text


def _column_converter(field: models.Field, convert):
    """``convert`` applied to a column of values (None left as it is): each distinct value once
    (a page's rows share one ``received_at``), JSON already encoded passed as it is."""
    if isinstance(field, models.JSONField):
        return lambda column: [
            value if value is None or value.__class__ is JsonText else convert(value)
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
    """PostgreSQL: the new rows COPYed straight into the table, with ids taken beforehand.

    One statement finds which rows' keys the table does not hold yet and draws an id for each
    (the unique index probed once per row); the new rows then go in by COPY, which stores them
    in bulk. A row another session stores between the two makes the COPY fail on the unique
    index: the page is then stored again through :func:`_insert_staged`, which skips it.
    """
    pk = model._meta.pk
    new_ids = _ids_for_new_rows(model, rows, unique)
    if not new_ids:
        return []
    fresh = [rows[n] for n in new_ids]
    ids = list(new_ids.values())
    next_id = iter(ids).__next__
    try:
        with transaction.atomic():  # a savepoint: the fallback continues the transaction
            _copy(
                model._meta.db_table,
                [*fields, pk],
                fresh,
                lambda row: (*values_of(row), next_id()),
            )
    except IntegrityError:
        return _insert_staged(model, fields, rows, values_of, unique, returning)
    # a column at a time: a generator per row cost more than the rest of the page's answer
    columns = [
        ids if name == pk.attname else list(map(itemgetter(name), fresh)) for name in returning
    ]
    return list(zip(*columns, strict=True))


def _ids_for_new_rows(model, rows, unique) -> dict[int, int]:
    """{position in ``rows``: id drawn for it} of the rows whose ``unique`` columns the table
    does not hold (NULL equals nothing, as in the unique index)."""
    quote = connection.ops.quote_name
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    columns = [by_attname[name] for name in unique]
    table = quote(model._meta.db_table)
    match = " AND ".join(f"t.{quote(c.column)} = k.{quote(c.column)}" for c in columns)
    sql = (
        "SELECT k.n - 1, nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass))"
        " FROM unnest({}) WITH ORDINALITY AS k({}, n)"
        " WHERE NOT EXISTS (SELECT FROM {} t WHERE {}) ORDER BY k.n"
    ).format(
        ", ".join(f"%s::{c.cast_db_type(connection)}[]" for c in columns),
        ", ".join(quote(c.column) for c in columns),
        table,
        match,
    )
    params = [model._meta.db_table, model._meta.pk.column]
    for field in columns:
        params.append(array_literal(row[field.attname] for row in rows))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _copy(table: str, fields, rows, values_of) -> None:
    """The rows into ``table`` (the fields' model's, or a staging table of its columns) by COPY.

    COPY's text format is built here a column at a time (:func:`_column_texts`: C loops over a
    page's values, a constant column converted once), where binding arrays had the driver quote
    every value with a regular expression; the server parses the JSON once, into ``jsonb``.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(table)} ({columns}) FROM STDIN"
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(sql) as copy:
        # sent a slice at a time: the server parses one while the next is built
        for start in range(0, len(rows), COPY_ROWS_PER_WRITE):
            values = zip(*map(values_of, rows[start : start + COPY_ROWS_PER_WRITE]), strict=True)
            texts = [
                _column_texts(field, column) for field, column in zip(fields, values, strict=True)
            ]
            lines = list(map("\t".join, zip(*texts, strict=True)))
            lines.append("")
            copy.write("\n".join(lines))


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


#: COPY's text format: a backslash, tab, newline or carriage return in a value is escaped
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
#: COPY's text format for NULL
_COPY_NULL = "\\N"


def _column_texts(field: models.Field, values: tuple) -> list[str]:
    """One column's values (a page of them) in COPY's text format."""
    present = [value for value in values if value is not None] if None in values else values
    if isinstance(field, models.JSONField):
        texts = [
            (value if value.__class__ is JsonText else encode_json(value)).replace("\\", "\\\\")
            for value in present
        ]
    elif isinstance(field, models.BooleanField):
        texts = ["t" if value else "f" for value in present]
    elif isinstance(field, models.IntegerField | models.ForeignKey | models.AutoField):
        texts = list(map(str, present))
    elif isinstance(field, models.DateTimeField):
        # with its offset (a naive one is read as UTC, the session's); each distinct value once:
        # a page's rows share one received_at
        text_of = {value: value.isoformat() for value in dict.fromkeys(present)}
        texts = list(map(text_of.__getitem__, present))
    else:
        texts = list(map(str, present))
        joined = "".join(texts)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            texts = [text.translate(_COPY_ESCAPES) for text in texts]
    if present is values:
        return texts
    filled = iter(texts).__next__
    return [_COPY_NULL if value is None else filled() for value in values]
