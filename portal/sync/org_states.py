"""Each system's copy of departments, positions and sites, as their list page shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from portal.sync.models import ExternalLink, OutboxMessage, VendorAccount
from portal.sync.org_outbox import org_accounts


@dataclass(frozen=True)
class SystemState:
    account: VendorAccount
    state: str  # linked, pending, failed, absent
    vendor_id: str = ""
    message: OutboxMessage | None = None

    @property
    def error(self) -> str:
        return self.message.last_error if self.message else ""


def org_states(kind: str, objects) -> dict[int, list[SystemState]]:
    """Object id → one state per account that models ``kind``: the newest unsuperseded message
    decides (waiting or failed), else the link (linked) or nothing (absent). Three queries."""
    objects = list(objects)
    if not objects:
        return {}
    accounts = org_accounts(kind)
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    ids = [obj.pk for obj in objects]
    links = {
        (account_id, object_id): vendor_id
        for account_id, object_id, vendor_id in ExternalLink.objects.filter(
            content_type=content_type, object_id__in=ids, gone_at__isnull=True
        ).values_list("account_id", "object_id", "vendor_id")
    }
    newest: dict[tuple[int, int], OutboxMessage] = {}
    for message in (
        OutboxMessage.objects.filter(content_type=content_type, object_id__in=ids, record_kind=kind)
        .exclude(status=OutboxMessage.Status.SUPERSEDED)
        .order_by("id")
    ):
        newest[(message.account_id, message.object_id)] = message
    states = {}
    for obj in objects:
        rows = []
        for account in accounts:
            message = newest.get((account.pk, obj.pk))
            vendor_id = links.get((account.pk, obj.pk), "")
            if message is not None and message.status == OutboxMessage.Status.PENDING:
                rows.append(SystemState(account, "pending", vendor_id, message))
            elif message is not None and message.status == OutboxMessage.Status.FAILED:
                rows.append(SystemState(account, "failed", vendor_id, message))
            else:
                rows.append(SystemState(account, "linked" if vendor_id else "absent", vendor_id))
        states[obj.pk] = rows
    return states
