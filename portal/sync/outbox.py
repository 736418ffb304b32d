"""Writing outbox messages: called inside the transaction that changes the person."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from connectors.registry import connector_class
from portal.people.models import Person
from portal.sync import dispatch
from portal.sync.models import OutboxMessage, VendorAccount
from portal.sync.payloads import person_payload


def people_writable_accounts():
    accounts = VendorAccount.objects.filter(enabled=True, push_enabled=True)
    return [a for a in accounts if "people" in connector_class(a.kind).capabilities.writes]


def enqueue_person(person: Person, action: str) -> list[OutboxMessage]:
    """One message per account that takes people writes; must run inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_person must run in the transaction that changed the person")
    content_type = ContentType.objects.get_for_model(Person)
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
        for account in people_writable_accounts()
    ]
    OutboxMessage.objects.bulk_create(messages)
    if messages:
        dispatch.drain_outbox()
    return messages
