"""Writing outbox messages: called inside the transaction that changes the person."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from portal.people.models import Person
from portal.sync import dispatch
from portal.sync.models import ExternalLink, OutboxMessage, PendingCreate, VendorAccount
from portal.sync.payloads import person_payload
from portal.sync.provisioning import eligible_accounts, people_writable_accounts

__all__ = ["enqueue_person", "people_writable_accounts"]


def enqueue_person(
    person: Person,
    action: str,
    *,
    only: VendorAccount | None = None,
    provisioning_changed: bool = False,
) -> list[OutboxMessage]:
    """One message per account that should hear of the change; runs in the change's transaction.

    A new person goes to every account the provisioning rules put them in (``provisioning``),
    and each of those is owed a create until the person is linked there (a ``PendingCreate``).
    Any other change goes only where the person is linked or a create is still owed: an edit
    never creates, and superseding a create message never loses the create. A change of what the
    rules look at (``provisioning_changed``: site, department, position, override, rehire) is the
    exception: a system the person now belongs in and is not in is owed a create, and one they
    no longer belong in is told to disable them (the reconcile reads the same decision).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_person must run in the transaction that changed the person")
    content_type = ContentType.objects.get_for_model(Person)
    accounts = people_writable_accounts()
    decisions = eligible_accounts(person, accounts)
    if action == "create":
        accounts = [a for a in accounts if decisions[a.pk].should]
        PendingCreate.objects.bulk_create(
            [PendingCreate(account=account, person=person) for account in accounts],
            ignore_conflicts=True,
        )
    else:
        linked = ExternalLink.objects.filter(content_type=content_type, object_id=person.pk)
        owed = PendingCreate.objects.filter(person=person)
        touched = {*linked.values_list("account_id", flat=True)}
        touched |= {*owed.values_list("account_id", flat=True)}
        if provisioning_changed:
            touched |= follow_rules(person, accounts, decisions, touched)
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
            payload=payload | provisioning_payload(decisions[account.pk]),
            idempotency_key=f"person:{person.pk}:{uuid.uuid4().hex}",
            scheduled_for=timezone.now(),
        )
        for account in accounts
    ]
    # a parked message of the same pair is answered by the new one, which reconciles everything
    supersede_failed(accounts, content_type, person.pk)
    OutboxMessage.objects.bulk_create(messages)
    if messages:
        dispatch.drain_outbox()
    return messages


def follow_rules(person: Person, accounts, decisions, touched: set[int]) -> set[int]:
    """Owe a create where the person now belongs and is not yet; forget an owed create where
    they no longer belong. Returns the accounts that must hear of it."""
    if person.status != Person.Status.ACTIVE:
        return set()
    joining = [
        a
        for a in accounts
        if decisions[a.pk].moves and decisions[a.pk].should and a.pk not in touched
    ]
    PendingCreate.objects.bulk_create(
        [PendingCreate(account=account, person=person) for account in joining],
        ignore_conflicts=True,
    )
    leaving = [a.pk for a in accounts if decisions[a.pk].moves and not decisions[a.pk].should]
    # no record yet: the create is no longer owed (a linked record is disabled by the reconcile)
    PendingCreate.objects.filter(person=person, account_id__in=leaving).exclude(
        account_id__in=ExternalLink.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
        ).values("account_id")
    ).delete()
    return {a.pk for a in joining}


def provisioning_payload(decision) -> dict:
    """What the rules say about this system, carried with the message for the record."""
    extra = {"provisioned": decision.should, "provisioned_by": decision.why}
    if decision.access_groups is not None:
        extra["access_groups"] = list(decision.access_groups)
    return extra


def supersede_failed(accounts, content_type: ContentType, object_id: int) -> None:
    """A parked message of the same record and account is answered by the new one, which
    reconciles everything: it is marked superseded, keeping why it had failed."""
    OutboxMessage.objects.filter(
        status=OutboxMessage.Status.FAILED,
        account__in=accounts,
        content_type=content_type,
        object_id=object_id,
    ).update(
        status=OutboxMessage.Status.SUPERSEDED,
        last_error=Concat(
            Value("Replaced by a newer change. It had failed with: "),
            "last_error",
            output_field=TextField(),
        ),
    )
