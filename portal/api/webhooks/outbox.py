"""Writing webhook deliveries: one row per subscribed endpoint, in the event's transaction."""

from __future__ import annotations

import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from portal.api.models import WebhookDelivery, WebhookEndpoint
from portal.api.webhooks import dispatch


def subscribers(event: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(enabled=True) if event in e.events]


@transaction.atomic
def enqueue(event: str, subject: str, data: dict) -> list[WebhookDelivery]:
    now = timezone.now()
    rows = []
    for endpoint in subscribers(event):
        delivery_id = uuid.uuid4()
        body = {
            "id": str(delivery_id),
            "event": event,
            "subject": subject,
            "occurred_at": now.isoformat(),
            "data": data,
        }
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                delivery_id=delivery_id,
                event=event,
                subject=subject,
                body=json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")),
                next_attempt_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    if rows:
        dispatch.deliver_on_commit()
    return rows
