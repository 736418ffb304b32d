"""WorkTime One's webhooks as a receiver sees them.

Each delivery carries the registration's secret in ``X-WorkTime-Secret``, the event in
``X-WorkTime-Event`` (also in the body's ``event``) and a delivery id in ``X-WorkTime-Delivery``
that stays the same when WorkTime delivers again.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from connectors.webhooks import WebhookCall, WebhookProtocol, WebhookRejected

SECRET_HEADER = "X-WorkTime-Secret"
EVENT_HEADER = "X-WorkTime-Event"
DELIVERY_HEADER = "X-WorkTime-Delivery"


def _header(headers: Mapping[str, str], name: str) -> str:
    """HTTP header names are case-insensitive, whatever mapping the caller hands in."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


class WorkTimeWebhooks(WebhookProtocol):
    setup_hint = (
        "In WorkTime One: Settings → Webhooks, add this address, then paste the secret it shows "
        "above."
    )
    event_streams = {
        "employee.created": ("people",),
        "employee.updated": ("people",),
        "employee.deleted": ("people",),
        "attendance.clock_in": ("punches",),
        "attendance.clock_out": ("punches",),
        "lock.opened": ("lock_events",),
    }

    def authenticate(self, headers: Mapping[str, str], body: bytes, secret: str) -> WebhookCall:
        # the secret first: nothing of an unauthenticated body is read
        given = _header(headers, SECRET_HEADER)
        if not secret or not secrets.compare_digest(given.encode(), secret.encode()):
            raise WebhookRejected(403, "Webhook secret does not match this account.")
        payload = self.json_body(body)
        delivery_id = _header(headers, DELIVERY_HEADER)
        event = _header(headers, EVENT_HEADER) or str(payload.get("event", ""))
        if not delivery_id or not event:
            raise WebhookRejected(400, f"Missing {DELIVERY_HEADER} or {EVENT_HEADER} header.")
        delivery_id, event = self.checked_headers(delivery_id, event)
        return WebhookCall(delivery_id=delivery_id, event=event, payload=payload)
