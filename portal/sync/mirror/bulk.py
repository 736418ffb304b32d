"""A lean bulk INSERT for the append-only logs (punches, door events), the pull's hot path.

``bulk_create`` builds a model instance and runs every field's full preparation per value; for
hundreds of thousands of punches that costs more than the vendor takes to send them. Rows here
are plain dicts of column values, converted once per field kind, and inserted with the database's
own conflict handling (``ON CONFLICT DO NOTHING RETURNING``, SQLite >= 3.35 and PostgreSQL): a
row already stored is skipped by its unique index, with no "already stored?" query first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from operator import itemgetter

from django.db import connection, models
from django.db.backends.sqlite3.base import Database

#: bound parameters per statement, well under SQLite's 32,766 (PostgreSQL takes 65,535)
MAX_PARAMETERS = 30_000


class JsonText(str):
    """A JSON column's value already encoded (the writer checked it once): inserted as it is."""


def encode_json(value) -> JsonText:
    return JsonText(json.dumps(value, separators=(",", ":"), default=str))


def _converter(field: models.Field):
    if isinstance(field, models.JSONField):
        return lambda value: value if isinstance(value, JsonText) else encode_json(value)
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite" and connection.timezone == UTC:
            return _sqlite_datetime
        return connection.ops.adapt_datetimefield_value
    return None


def _sqlite_datetime(value: datetime) -> str:
    """As Django's SQLite adapter writes an aware datetime (naive UTC text), a third the cost."""
    if value.tzinfo is None:
        return connection.ops.adapt_datetimefield_value(value)
    if value.tzinfo is UTC:
        return str(value.replace(tzinfo=None))
    return str(value.astimezone(UTC).replace(tzinfo=None))


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
    conversions = [(i, fn) for i, fn in enumerate(map(_converter, fields)) if fn is not None]
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
    per_statement = max(1, MAX_PARAMETERS // len(fields))
    values_of = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    if not sqlite:
        return _insert_unnest(model, fields, rows, values_of, conversions, tail)
    inserted: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list = []
            for row in chunk:
                values = list(values_of(row))
                for i, fn in conversions:
                    if values[i] is not None:
                        values[i] = fn(values[i])
                params.extend(values)
            with connection.wrap_database_errors:
                Database.Cursor.execute(
                    cursor.cursor, head + ", ".join([one_row] * len(chunk)) + tail, params
                )
            inserted.extend(cursor.fetchall())
    return inserted


def _insert_unnest(model, fields, rows, values_of, conversions, tail) -> list[tuple]:
    """PostgreSQL: one array per column and ``unnest`` (one parameter per column, not per value:
    the driver adapts a list in one go, and the statement is short)."""
    columns: list[list] = [[] for _ in fields]
    for row in rows:
        values = list(values_of(row))
        for i, fn in conversions:
            if values[i] is not None:
                values[i] = fn(values[i])
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    sql = "INSERT INTO {} ({}) SELECT * FROM unnest({}){}".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        arrays,
        tail,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        return cursor.fetchall()
