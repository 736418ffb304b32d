from django.db import migrations

import portal.core.packed_json
from portal.core.packed_json import pack

#: punches converted per statement batch
BATCH = 5_000


def _convert(apps, schema_editor, source: str, target: str, convert) -> None:
    """``target`` = convert(``source``) for every punch, a batch of ids at a time."""
    punch = apps.get_model("attendance", "Punch")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    update = (
        f"UPDATE {quote(punch._meta.db_table)} SET {quote(target)} = %s WHERE {quote('id')} = %s"
    )
    last = 0
    while True:
        rows = list(
            punch.objects.filter(pk__gt=last).order_by("pk").values_list("pk", source)[:BATCH]
        )
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(update, [(convert(value), pk) for pk, value in rows])
        last = rows[-1][0]


def pack_raw(apps, schema_editor):
    binary = schema_editor.connection.Database.Binary
    _convert(apps, schema_editor, "raw", "raw_packed", lambda raw: binary(pack(raw)))


def unpack_raw(apps, schema_editor):
    json_text = schema_editor.connection.ops.adapt_json_value
    _convert(apps, schema_editor, "raw_packed", "raw", lambda raw: json_text(raw, None))


class Migration(migrations.Migration):
    """A punch's vendor record packed (:mod:`portal.core.packed_json`): ~160-210 bytes, not ~520.

    Every stored punch is read, packed and written back by Python (neither database can compress
    against our dictionary): about a minute a million punches. On PostgreSQL the old row versions
    stay in the table's files until VACUUM reuses them (VACUUM FULL gives the space back, under an
    exclusive lock); SQLite copies the table once, to add the column.
    """

    dependencies = [
        ("attendance", "0009_punch_day_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="punch",
            name="raw_packed",
            field=portal.core.packed_json.PackedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(pack_raw, unpack_raw, elidable=False),
        migrations.RemoveField(model_name="punch", name="raw"),
        migrations.RenameField(model_name="punch", old_name="raw_packed", new_name="raw"),
    ]
