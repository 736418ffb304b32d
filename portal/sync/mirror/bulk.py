"""A lean bulk INSERT for the append-only logs (punches, door events), the pull's hot path.

``bulk_create`` builds a model instance and runs every field's full preparation per value; for
hundreds of thousands of punches that costs more than the vendor takes to send them. Rows here
are plain dicts of column values, converted once per field kind, inserted with ``executemany``.
"""

from __future__ import annotations

import json

from django.db import connection, models


def _converter(field: models.Field):
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    return None


def bulk_insert(model: type[models.Model], rows: list[dict]) -> int:
    """Insert ``rows`` (dicts keyed by attname) in one statement batch; returns how many."""
    if not rows:
        return 0
    names = list(rows[0])
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    convert = [_converter(field) for field in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [
        [
            value if fn is None or value is None else fn(value)
            for fn, value in zip(convert, (row[n] for n in names), strict=False)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)
