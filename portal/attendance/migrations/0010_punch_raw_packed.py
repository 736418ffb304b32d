from django.db import migrations

import portal.core.packed_json
from portal.core.packed_json import pack_column, unpack_column


def pack_raw(apps, schema_editor):
    pack_column(apps.get_model("attendance", "Punch"), schema_editor, "raw", "raw_packed")


def unpack_raw(apps, schema_editor):
    unpack_column(apps.get_model("attendance", "Punch"), schema_editor, "raw_packed", "raw")


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
