"""Writing outbox messages: called inside the transaction that changes the person."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from connectors.registry import connector_class
from portal.core.dispatch import enqueue_on_commit
from portal.people.models import Person
from portal.sync.models import ExternalLink, OutboxMessage, VendorAccount


def person_payload(person: Person) -> dict:
    """The full state a vendor should end up with: newest message wins, so it carries everything."""
    return {
        "code": person.employee_code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "department": person.department.name if person.department else "",
        "position": person.position.name if person.position else "",
        "hire_date": person.hire_date.isoformat() if person.hire_date else None,
        "active": person.status == Person.Status.ACTIVE,
        "terminated_on": person.termination_date.isoformat() if person.termination_date else None,
        "termination_reason": person.termination_reason,
    }


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
        kick_drain()
    return messages


def kick_drain() -> None:
    from portal.sync.tasks import push_outbox_task

    enqueue_on_commit(push_outbox_task)


def link_for(account: VendorAccount, person_id: int) -> ExternalLink | None:
    return ExternalLink.objects.filter(
        account=account, content_type=ContentType.objects.get_for_model(Person), object_id=person_id
    ).first()
