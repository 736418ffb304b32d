"""Saving a few fields of many loaded objects: ``QuerySet.bulk_update``'s effect, cheaper.

Django's ``bulk_update`` writes one ``UPDATE … SET f = CASE WHEN id = 1 THEN … END`` per batch and
builds a ``When`` expression per object and field in Python: a push worker recording 1,000 sent
messages spent most of that flush's CPU there. Here it is one prepared statement run once per
object (``executemany``: SQLite steps it in C, psycopg pipelines it), with every value adapted by
its field as Django's own ``save()`` does. Like ``bulk_update``, it calls no ``pre_save`` and sends
no signals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Model


def update_fields(model: type[Model], objects: Sequence[Model], fields: Iterable[str]) -> None:
    """Write ``fields`` of each of ``objects`` (saved rows of ``model``) to its row, by primary key."""
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [meta.pk.get_db_prep_save(obj.pk, connection)]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
