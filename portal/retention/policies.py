"""How long each kind of history is kept: ``settings.WORKGATE_RETENTION`` (days), env-overridable.

WORKGATE_RETENTION_SYNC_RUNS=14   # keep two weeks of sync runs
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

#: what each key keeps, in words for the log and the settings' readers
KINDS = {
    "sync_runs": "sync runs (their daily sums stay)",
    "run_summaries": "daily sums of sync runs",
    "sent_pushes": "sent and superseded outbox messages",
    "door_states": "door state readings",
    "webhook_deliveries": "delivered outbound webhooks",
    "received_webhooks": "webhook calls received from vendors",
}


def days(kind: str) -> int:
    """Days ``kind`` is kept; never less than one (today's history is always kept)."""
    return max(1, int(settings.WORKGATE_RETENTION[kind]))


def cutoff(kind: str, now: datetime | None = None) -> datetime:
    """Rows of ``kind`` older than this may go."""
    return (now or timezone.now()) - timedelta(days=days(kind))
