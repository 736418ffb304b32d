"""Departments, positions and sites carried to the systems that model them.

BioTime keeps all three (departments, positions, areas); BioStar keeps departments as user
groups. An outbox message says "make this account's record match this local one": the sender
reads the linked record, or finds one by code then name (a record pulled before or sent by an
earlier try whose answer was lost), and only then creates; a rename updates the linked record in
place. The link is the mirror's own ``ExternalLink``, so a record pulled from the vendor and a
record sent to it are one and the same.
"""

from __future__ import annotations

import time
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from connectors import errors
from connectors.registry import connector_class
from portal.core import audit
from portal.people.models import Department, Position, Site
from portal.sync import dispatch
from portal.sync.connectors import kept_connector
from portal.sync.models import ExternalLink, OutboxMessage, VendorAccount
from portal.sync.outbox import supersede_failed

#: record kind → (local model, the capability name connectors declare for it)
KINDS: dict[str, tuple[type[models.Model], str]] = {
    "department": (Department, "departments"),
    "position": (Position, "positions"),
    "site": (Site, "sites"),
}
#: how deep a chain of unsent parent departments is followed (BioStar allows 8 levels)
MAX_PARENT_DEPTH = 8


def org_accounts(kind: str) -> list[VendorAccount]:
    """The enabled accounts written to whose systems model ``kind``."""
    capability = KINDS[kind][1]
    accounts = VendorAccount.objects.filter(enabled=True, push_enabled=True)
    return [a for a in accounts if capability in connector_class(a.kind).capabilities.writes]


def org_payload(obj: models.Model) -> dict:
    payload = {"name": obj.name, "code": obj.code}
    if isinstance(obj, Department):
        payload["parent"] = obj.parent.name if obj.parent_id else ""
    return payload


def enqueue_org(
    obj: models.Model, kind: str, action: str, *, only: VendorAccount | None = None
) -> list[OutboxMessage]:
    """One message per account that models ``kind`` (or only ``only``); runs in the change's
    transaction. A parked message of the same record is answered by the new one (it reconciles
    everything)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_org must run in the transaction that changed the record")
    accounts = [a for a in org_accounts(kind) if only is None or a.pk == only.pk]
    content_type = ContentType.objects.get_for_model(type(obj))
    supersede_failed(accounts, content_type, obj.pk)
    payload = org_payload(obj)
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            account=account,
            record_kind=kind,
            action=action,
            content_type=content_type,
            object_id=obj.pk,
            payload=payload,
            idempotency_key=f"{kind}:{obj.pk}:{uuid.uuid4().hex}",
            scheduled_for=timezone.now(),
        )
        for account in accounts
    )
    if messages:
        dispatch.drain_outbox()
    return messages


@transaction.atomic
def request_send(obj: models.Model, kind: str, account: VendorAccount, request) -> OutboxMessage:
    """HR sends a record the account does not hold yet (one that existed before the account was
    connected, say): audited, then delivered like any change."""
    if account not in org_accounts(kind):
        raise errors.UnsupportedError(f"{account.name} does not keep {kind}s from Workgate.")
    [message] = enqueue_org(obj, kind, "update", only=account)
    audit.record(
        "org.send_requested",
        request=request,
        obj=obj,
        after={"kind": kind, "account": account.name},
    )
    return message


def send_org(message: OutboxMessage, *, transport=None, sleep=time.sleep) -> dict:
    """Reconcile the message's (account, record) pair with the record as it is now."""
    model = KINDS[message.record_kind][0]
    obj = model.objects.filter(pk=message.object_id).first()
    if obj is None:
        raise errors.NotFoundError(
            f"{message.record_kind.capitalize()} #{message.object_id} no longer exists in "
            "Workgate: there is nothing to send."
        )
    with kept_connector(message.account, transport=transport, sleep=sleep) as connector:
        return reconcile_org(connector, message.account, message.record_kind, obj)


def reconcile_org(connector, account: VendorAccount, kind: str, obj, depth: int = 0) -> dict:
    """Make the account's record of ``obj`` match it: update the linked record, else adopt one
    found by code or name, else create one; then link it. Returns what was done."""
    if isinstance(obj, Department) and is_vendor_root(obj):
        return {
            "vendor_id": "",
            "name": obj.name,
            "code": obj.code,
            "done": "skipped",
            "reason": f"{obj.name} is a system's root group, not a department: not sent.",
        }
    link = link_of(account, obj)
    parent_id = None
    if isinstance(obj, Department) and obj.parent_id and not is_vendor_root(obj.parent):
        parent_id = parent_vendor_id(connector, account, obj.parent, depth)
    record = getattr(connector, f"get_{kind}")(link.vendor_id) if link else None
    found = False
    if record is None:
        record = getattr(connector, f"find_{kind}")(obj.code, obj.name, parent_id)
        found = record is not None
    if record is None:
        record = getattr(connector, f"create_{kind}")(obj.name, obj.code, parent_id)
        done = "created"
    else:
        changes = {}
        if record.name != obj.name:
            changes["name"] = obj.name
        if record.code and record.code != obj.code:  # BioStar keeps no code: record.code ""
            changes["code"] = obj.code
        if isinstance(obj, Department) and (record.parent_id or None) != parent_id:
            changes["parent_id"] = parent_id
        if changes:
            record = getattr(connector, f"update_{kind}")(record.vendor_id, **changes)
        done = "updated" if changes else "unchanged"
    keep_link(account, obj, record.vendor_id)
    return {
        "vendor_id": record.vendor_id,
        "name": record.name,
        "code": record.code,
        "done": done,
        "found_existing": found,
    }


def is_vendor_root(department: Department) -> bool:
    """Whether the department is a system's root group pulled into Workgate (BioStar's "All
    Users"): its children are top-level departments everywhere, and it is never sent."""
    links = ExternalLink.objects.filter(
        content_type=ContentType.objects.get_for_model(Department), object_id=department.pk
    ).select_related("account")
    return any(
        link.vendor_id == getattr(connector_class(link.account.kind), "root_department_id", None)
        for link in links
    )


def parent_vendor_id(connector, account, parent: Department, depth: int) -> str:
    """The parent's record in this account: linked already, or reconciled first (a new
    sub-department can be sent before its new parent's own message)."""
    link = link_of(account, parent)
    if link is not None:
        return link.vendor_id
    if depth >= MAX_PARENT_DEPTH:
        raise errors.ValidationError(
            f"{parent.name} is more than {MAX_PARENT_DEPTH} levels deep.", field="parent"
        )
    return reconcile_org(connector, account, "department", parent, depth + 1)["vendor_id"]


def link_of(account: VendorAccount, obj) -> ExternalLink | None:
    return ExternalLink.objects.filter(
        account=account,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        gone_at__isnull=True,
    ).first()


def keep_link(account: VendorAccount, obj, vendor_id: str) -> None:
    """Link ``obj`` to the vendor record; a record already linked to another local row is a
    conflict a person settles (two local rows must not share one vendor record)."""
    content_type = ContentType.objects.get_for_model(type(obj))
    taken = (
        ExternalLink.objects.filter(account=account, content_type=content_type, vendor_id=vendor_id)
        .exclude(object_id=obj.pk)
        .first()
    )
    if taken is not None:
        other = type(obj).objects.filter(pk=taken.object_id).first()
        raise errors.ConflictError(
            f"{account.name}'s record {vendor_id} ({obj.name}) is already linked to "
            f"{other.name if other else f'#{taken.object_id}'} in Workgate; rename one of them "
            "and retry."
        )
    try:
        with transaction.atomic():
            ExternalLink.objects.update_or_create(
                account=account,
                content_type=content_type,
                object_id=obj.pk,
                defaults={
                    "vendor_id": vendor_id,
                    "gone_at": None,
                    "last_pushed_at": timezone.now(),
                },
            )
    except IntegrityError as clash:  # linked by a pull in the meantime
        raise errors.TransientError(f"The link changed while sending: {clash}") from clash
