"""Writing outbox messages: called inside the transaction that changes the person."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from connectors.registry import connector_class
from portal.people.models import Person
from portal.sync import dispatch
from portal.sync.models import ExternalLink, OutboxMessage, PendingCreate, VendorAccount
from portal.sync.payloads import person_payload


def people_writable_accounts():
    accounts = VendorAccount.objects.filter(enabled=True, push_enabled=True)
    return [a for a in accounts if "people" in connector_class(a.kind).capabilities.writes]


def enqueue_person(
    person: Person, action: str, *, only: VendorAccount | None = None
) -> list[OutboxMessage]:
    """One message per account that should hear of the change; runs in the change's transaction.

    A new person goes to every account that takes people writes, and each of those is owed a
    create until the person is linked there (a ``PendingCreate``). Any other change goes only
    where the person is linked or a create is still owed: an edit never creates, and superseding
    a create message never loses the create.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_person must run in the transaction that changed the person")
    content_type = ContentType.objects.get_for_model(Person)
    accounts = people_writable_accounts()
    if action == "create":
        PendingCreate.objects.bulk_create(
            [PendingCreate(account=account, person=person) for account in accounts],
            ignore_conflicts=True,
        )
    else:
        linked = ExternalLink.objects.filter(content_type=content_type, object_id=person.pk)
        owed = PendingCreate.objects.filter(person=person)
        touched = {*linked.values_list("account_id", flat=True)}
        touched |= {*owed.values_list("account_id", flat=True)}
        accounts = [a for a in accounts if a.pk in touched]
    if only is not None:
        accounts = [a for a in accounts if a.pk == only.pk]
    payload = person_payload(person)
    messages = [
        OutboxMessage(
            account=account,
            record_kind="person",
            action=action,
            content_type=content_type,
            object_id=person.pk,
            payload=payload,
            idempotency_key=f"person:{person.pk}:{uuid.uuid4().hex}",
            scheduled_for=timezone.now(),
        )
        for account in accounts
    ]
    # a parked message of the same pair is answered by the new one, which reconciles everything
    OutboxMessage.objects.filter(
        status=OutboxMessage.Status.FAILED,
        account__in=accounts,
        content_type=content_type,
        object_id=person.pk,
    ).update(
        status=OutboxMessage.Status.SUPERSEDED,
        last_error=Concat(
            Value("Replaced by a newer change. It had failed with: "),
            "last_error",
            output_field=TextField(),
        ),
    )
    OutboxMessage.objects.bulk_create(messages)
    if messages:
        dispatch.drain_outbox()
    return messages
