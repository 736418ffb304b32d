from django.db import migrations

import portal.core.packed_json
from portal.core.packed_json import pack_column, unpack_column


def pack_raw(apps, schema_editor):
    pack_column(apps.get_model("sync", "ExternalLink"), schema_editor, "raw", "raw_packed")


def unpack_raw(apps, schema_editor):
    unpack_column(apps.get_model("sync", "ExternalLink"), schema_editor, "raw_packed", "raw")


class Migration(migrations.Migration):
    """A link's vendor record packed (:mod:`portal.core.packed_json`), as punches' are: PostgreSQL
    parsed every linked record into jsonb on a people pull (a 1,000-person page's COPY of links:
    ~42 ms, ~16 with the record left out), and nothing searches inside it. Each stored link is
    read, packed and written back by Python: a few seconds for 10,000 people."""

    dependencies = [
        ("sync", "0024_link_object_index_is_the_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="externallink",
            name="raw_packed",
            field=portal.core.packed_json.PackedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(pack_raw, unpack_raw, elidable=False),
        migrations.RemoveField(model_name="externallink", name="raw"),
        migrations.RenameField(
            model_name="externallink", old_name="raw_packed", new_name="raw"
        ),
    ]
