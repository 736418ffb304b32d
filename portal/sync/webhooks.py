"""Webhooks in: WorkTime One posts events to a per-account URL carrying a per-account secret.

Each delivery is verified (constant-time secret comparison), stored once per delivery id (a
duplicate is acknowledged and dropped), and turned into a targeted pull of the stream the event
touches. The vendor gets its 2xx at once; the pull runs in a worker.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from portal.sync import dispatch
from portal.sync.models import VendorAccount, WebhookDelivery

#: event → the stream to pull; events not listed are stored and otherwise ignored
EVENT_STREAMS = {
    "employee.created": "people",
    "employee.updated": "people",
    "employee.deleted": "people",
    "attendance.clock_in": "punches",
    "attendance.clock_out": "punches",
    "lock.opened": "lock_events",
}


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


def account_for_token(token: str) -> VendorAccount:
    account = VendorAccount.objects.filter(options__webhook_token=token, enabled=True).first()
    if account is None:
        raise WebhookRejected(404, "Unknown webhook address.")
    return account


def receive(
    account: VendorAccount, *, secret: str, delivery_id: str, event: str, payload: dict
) -> bool:
    """Verify and record one delivery. Returns False for a duplicate (already handled)."""
    expected = account.credentials.get("webhook_secret", "")
    if not expected or not secrets.compare_digest(secret.encode(), expected.encode()):
        raise WebhookRejected(403, "Webhook secret does not match this account.")
    if not delivery_id or not event:
        raise WebhookRejected(400, "Missing X-WorkTime-Delivery or X-WorkTime-Event header.")
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                account=account, delivery_id=delivery_id, event=event, payload=payload
            )
            if stream := EVENT_STREAMS.get(event):
                dispatch.pull_for_webhook(account.pk, stream)
    except IntegrityError:
        return False
    return True
