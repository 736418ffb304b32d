"""Sending webhook deliveries: claim the head of a subject's line, send it, record the answer.

- Never reordered per subject: only a subject's oldest undelivered row (per endpoint) is due, so
  a later event waits while an earlier one is retried, and stays behind one that is parked.
- Never lost, and the same id on every try: a worker claims a row for ``LEASE``; one that dies
  mid-send lets the claim lapse and the next drain sends the row again with the same id and body.
  Receivers de-duplicate on ``Workgate-Delivery``.
- Failures back off exponentially (capped; a receiver's ``Retry-After`` is honoured) and park
  after ``settings.WEBHOOK_MAX_ATTEMPTS`` tries, for a person to retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from portal.api.models import WebhookAttempt, WebhookDelivery
from portal.api.webhooks import dispatch
from portal.api.webhooks.signing import signature_header
from portal.core import audit

#: longer than the request timeout: a live worker's claim never lapses under it
LEASE = timedelta(seconds=60)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=1)
USER_AGENT = "Workgate-Webhooks/1"


@dataclass
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def due(now: datetime):
    """Rows that may be sent now: pending, not claimed, and first in their subject's line."""
    earlier_waiting = WebhookDelivery.objects.filter(
        endpoint=OuterRef("endpoint"), subject=OuterRef("subject"), id__lt=OuterRef("id")
    ).exclude(status=WebhookDelivery.Status.DELIVERED)
    return (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__enabled=True,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .exclude(Exists(earlier_waiting))
        .order_by("id")
    )


def claim(now: datetime) -> WebhookDelivery | None:
    """Take the oldest due row for ``LEASE``; other workers skip it (row lock, then the lease)."""
    with transaction.atomic():
        row = (
            due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .first()
        )
        if row is None:
            return None
        row.claimed_until = now + LEASE
        row.attempts += 1
        WebhookDelivery.objects.filter(pk=row.pk).update(
            claimed_until=row.claimed_until, attempts=F("attempts") + 1
        )
        return row


def headers_for(row: WebhookDelivery, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Workgate-Delivery": str(row.delivery_id),
        "Workgate-Event": row.event,
        "Workgate-Timestamp": str(timestamp),
        "Workgate-Signature": signature_header(row.endpoint.secret, timestamp, row.body.encode()),
    }


def send(row: WebhookDelivery, *, transport: httpx.BaseTransport | None = None) -> Outcome:
    timestamp = int(time.time())
    started = time.monotonic()
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport, follow_redirects=False) as client:
            response = client.post(
                row.endpoint.url, content=row.body.encode(), headers=headers_for(row, timestamp)
            )
    except httpx.HTTPError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(None, elapsed, f"{type(exc).__name__}: {exc}"[:500])
    elapsed = int((time.monotonic() - started) * 1000)
    retry_after = response.headers.get("Retry-After", "")
    return Outcome(
        response.status_code,
        elapsed,
        "" if response.is_success else f"HTTP {response.status_code}",
        int(retry_after[:6]) if retry_after.isdigit() else None,
    )


def delay_after(attempts: int, retry_after: int | None = None) -> timedelta:
    delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(attempts - 1, 0))
    if retry_after is not None:
        delay = max(delay, min(BACKOFF_CAP, timedelta(seconds=retry_after)))
    return delay


def record(row: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    """Store the answer, unless the claim lapsed and another worker owns the row now."""
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=row,
            at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
        mine = WebhookDelivery.objects.filter(pk=row.pk, claimed_until=row.claimed_until)
        common = {
            "claimed_until": None,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if outcome.ok:
            mine.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now, **common)
        elif row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            mine.update(status=WebhookDelivery.Status.PARKED, **common)
        else:
            retry_at = now + delay_after(row.attempts, outcome.retry_after)
            mine.update(next_attempt_at=retry_at, **common)


def drain(
    *, now: datetime | None = None, limit: int = 500, transport: httpx.BaseTransport | None = None
) -> int:
    """Send what is due, in order, until nothing is or ``limit`` tries were made; returns how many
    were delivered. ``now`` is fixed by tests to step through backoffs."""
    delivered = 0
    for _ in range(limit):
        moment = now or timezone.now()
        row = claim(moment)
        if row is None:
            break
        outcome = send(row, transport=transport)
        record(row, outcome, now or timezone.now())
        delivered += outcome.ok
    return delivered


@transaction.atomic
def retry_delivery(row: WebhookDelivery, *, request=None) -> None:
    """Put a parked delivery back in line, now, with a fresh count of tries."""
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    WebhookDelivery.objects.filter(pk=row.pk, status=WebhookDelivery.Status.PARKED).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    audit.record(
        "webhook_delivery.retried",
        request=request,
        obj=row,
        before=before,
        after={"status": "pending"},
    )
    dispatch.deliver_on_commit()
