"""Create messages queued before 0015 owe their create too: one PendingCreate each.

Since 0015 a hire writes a PendingCreate beside its create message, and only a PendingCreate lets
a push make a vendor record. A create message still pending or parked from before then, for a
person not yet linked in that account, gets its PendingCreate here, so it is not read as an edit.
"""

from django.db import migrations


def owe_queued_creates(apps, schema_editor):
    OutboxMessage = apps.get_model("sync", "OutboxMessage")
    ExternalLink = apps.get_model("sync", "ExternalLink")
    PendingCreate = apps.get_model("sync", "PendingCreate")
    ContentType = apps.get_model("contenttypes", "ContentType")
    person_type = ContentType.objects.filter(app_label="people", model="person").first()
    if person_type is None:
        return
    waiting = OutboxMessage.objects.filter(
        content_type=person_type, action="create", status__in=["pending", "failed"]
    ).values_list("account_id", "object_id")
    linked = set(
        ExternalLink.objects.filter(content_type=person_type).values_list("account_id", "object_id")
    )
    owed = set(waiting) - linked
    existing = set(
        apps.get_model("people", "Person")
        .objects.filter(pk__in={person_id for _, person_id in owed})
        .values_list("pk", flat=True)
    )
    PendingCreate.objects.bulk_create(
        [
            PendingCreate(account_id=account_id, person_id=person_id)
            for account_id, person_id in owed
            if person_id in existing  # a message may outlive its person
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("sync", "0015_pending_creates"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(owe_queued_creates, migrations.RunPython.noop)]
