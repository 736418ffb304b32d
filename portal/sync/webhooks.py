"""Webhooks in: a vendor posts events to a per-account URL carrying a per-account secret.

The vendor's :class:`connectors.webhooks.WebhookProtocol` (from its registry entry) verifies the
delivery and names the streams its event touches. Each delivery is stored once per delivery id
(a duplicate is acknowledged and dropped) and turned into targeted pulls of those streams. The
vendor gets its 2xx at once; the pulls run in a worker.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction

from connectors.webhooks import WebhookRejected
from portal.sync import dispatch
from portal.sync.models import VendorAccount, WebhookDelivery
from portal.sync.vendor_text import json_without_nul


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


def account_for_token(kind: str, token: str) -> VendorAccount:
    account = VendorAccount.objects.filter(
        kind=kind, options__webhook_token=token, enabled=True
    ).first()
    if account is None or account.vendor.webhook is None:
        raise WebhookRejected(404, "Unknown webhook address.")
    return account


def receive(account: VendorAccount, headers: Mapping[str, str], body: bytes) -> bool:
    """Verify and record one delivery. Returns False for a duplicate (already handled)."""
    protocol = account.vendor.webhook
    call = protocol.authenticate(
        headers, body, secret=account.credentials.get(protocol.secret_name, "")
    )
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                account=account,
                delivery_id=call.delivery_id,
                event=call.event,
                payload=json_without_nul(call.payload),  # PostgreSQL's JSON refuses NUL
            )
            for stream in protocol.streams_for(call.event):
                dispatch.pull_for_webhook(account.pk, stream)
    except IntegrityError:
        return False
    return True
