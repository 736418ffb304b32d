"""Signatures of outbound webhooks, and the check a receiver runs (the README shows it).

``Workgate-Signature: v1=<hex>`` is HMAC-SHA256 with the endpoint's secret over
``<Workgate-Timestamp>.<body>``. While a rotated-out secret still overlaps, a second ``v1=`` signed
with it follows, comma-separated: a receiver accepts the request when any one matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

#: a receiver should refuse deliveries older than this (replays)
TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signing_secrets(stored: dict, now: datetime | None = None) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    now = now or timezone.now()
    found = [stored["current"]] if stored.get("current") else []
    until = stored.get("previous_until")
    if stored.get("previous") and until and datetime.fromisoformat(until) > now:
        found.append(stored["previous"])
    return found


def signature_header(stored: dict, timestamp: int, body: bytes) -> str:
    return ",".join(f"v1={sign(s, timestamp, body)}" for s in signing_secrets(stored))


def rotated(stored: dict, new: str, now: datetime | None = None) -> dict:
    """The secrets after a rotation to ``new``: the old one keeps signing for the overlap."""
    now = now or timezone.now()
    overlap = timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    if not stored.get("current"):
        return {"current": new}
    return {
        "current": new,
        "previous": stored["current"],
        "previous_until": (now + overlap).isoformat(),
    }


def verify(secret: str, header: str, timestamp: str, body: bytes, now: float | None = None) -> bool:
    """The receiver's side: is the delivery fresh and signed with ``secret``?"""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, sent_at, body)
    return any(
        hmac.compare_digest(part.strip()[3:], expected)
        for part in header.split(",")
        if part.strip().startswith("v1=")
    )
