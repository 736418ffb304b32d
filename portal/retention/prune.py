"""Pruning history past its retention, in short transactions, never what is still needed.

Each kind names the rows that may go (old, done, and not the one thing a page or a worker still
reads); ``delete_in_batches`` takes them by id ranges, a batch a transaction, so a year's
backlog never holds a table's lock for long. Kept whatever their age: pending, failed and parked
messages, each person's newest push per system, any message an offboarding step points at (its
proof), each stream's latest run and latest success, each door's latest reading, the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from portal.api.models import WebhookDelivery as OutboundDelivery
from portal.doors.models import Door, DoorStateChange
from portal.people.models import Person
from portal.retention import policies
from portal.sync import run_days
from portal.sync.models import (
    OffboardingStep,
    OutboxMessage,
    SyncRun,
    SyncRunDay,
    WebhookDelivery,
)

log = logging.getLogger(__name__)


def delete_in_batches(queryset, batch_size: int | None = None) -> int:
    """Delete what ``queryset`` selects, ``batch_size`` rows a transaction, lowest ids first.

    Each batch reads the next ids, then deletes that id range under the same conditions: a row
    that stopped qualifying meanwhile (a message retried) stays.
    """
    batch_size = batch_size or settings.WORKGATE_RETENTION_BATCH
    deleted, after = 0, None
    while True:
        page = queryset.order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            _, per_model = queryset.filter(pk__gte=ids[0], pk__lte=ids[-1]).delete()
        deleted += per_model.get(queryset.model._meta.label, 0)  # not counting cascaded rows
        after = ids[-1]


def old_sync_runs(now: datetime) -> tuple:
    """Runs past retention whose day is summed, but not a stream's latest run or latest success,
    nor one still running or waiting to resume."""
    cutoff = policies.cutoff("sync_runs", now)
    summed_until = run_days.summarised_until()
    if summed_until is None:
        return SyncRun.objects.none()
    cutoff = min(cutoff, run_days.day_bounds(summed_until)[0])
    keep = set()
    for account_id, stream in SyncRun.objects.values_list("account_id", "stream").distinct():
        runs = SyncRun.objects.filter(account_id=account_id, stream=stream)
        newest = runs.order_by("-started_at", "-id")
        keep.update(newest.values_list("id", flat=True)[:1])
        succeeded = newest.filter(status=SyncRun.Status.SUCCEEDED)
        keep.update(succeeded.values_list("id", flat=True)[:1])
    return (
        SyncRun.objects.filter(started_at__lt=cutoff)
        .exclude(status__in=[SyncRun.Status.RUNNING, SyncRun.Status.DEFERRED])
        .exclude(pk__in=keep)
    )


def old_run_summaries(now: datetime):
    day = timezone.localtime(policies.cutoff("run_summaries", now)).date()
    return SyncRunDay.objects.filter(day__lt=day)


def old_pushes(now: datetime):
    """Sent and superseded messages past retention. A person's newest message per system stays
    (the person page reads it as the state there), and so does any an offboarding step names."""
    cutoff = policies.cutoff("sent_pushes", now)
    newer = OutboxMessage.objects.filter(
        account_id=OuterRef("account_id"),
        content_type_id=OuterRef("content_type_id"),
        object_id=OuterRef("object_id"),
        pk__gt=OuterRef("pk"),
    )
    person_type = ContentType.objects.get_for_model(Person)
    done = Q(status=OutboxMessage.Status.SENT, sent_at__lt=cutoff) | Q(
        status=OutboxMessage.Status.SUPERSEDED, created_at__lt=cutoff
    )
    return (
        OutboxMessage.objects.filter(done)
        .filter(~Q(content_type=person_type) | Exists(newer))
        .exclude(pk__in=OffboardingStep.objects.filter(message__isnull=False).values("message_id"))
    )


def old_door_states(now: datetime):
    """Door readings past retention, but each door's latest (its history's last line)."""
    latest = Door.objects.annotate(
        last=Subquery(
            DoorStateChange.objects.filter(door=OuterRef("pk"))
            .order_by("-changed_at", "-id")
            .values("id")[:1]
        )
    ).filter(last__isnull=False)
    keep = list(latest.values_list("last", flat=True))
    return DoorStateChange.objects.filter(
        changed_at__lt=policies.cutoff("door_states", now)
    ).exclude(pk__in=keep)


def old_webhook_deliveries(now: datetime):
    """Delivered outbound webhooks past retention (with their attempts); pending and parked stay."""
    return OutboundDelivery.objects.filter(
        status=OutboundDelivery.Status.DELIVERED,
        delivered_at__lt=policies.cutoff("webhook_deliveries", now),
    )


def old_received_webhooks(now: datetime):
    """Vendor webhook calls kept to drop a redelivered duplicate: long past any vendor's retries."""
    return WebhookDelivery.objects.filter(received_at__lt=policies.cutoff("received_webhooks", now))


#: each kind of history and what of it may go, in the order the prune takes them
PRUNABLE = {
    "sync_runs": old_sync_runs,
    "run_summaries": old_run_summaries,
    "sent_pushes": old_pushes,
    "door_states": old_door_states,
    "webhook_deliveries": old_webhook_deliveries,
    "received_webhooks": old_received_webhooks,
}


def prune_history(now: datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Sum the finished days' runs, then prune every kind; returns rows removed per kind."""
    now = now or timezone.now()
    summed = run_days.summarise_finished_days(timezone.localtime(now).date())
    removed = {}
    for kind, prunable in PRUNABLE.items():
        removed[kind] = delete_in_batches(prunable(now), batch_size)
        if removed[kind]:
            log.info(
                "pruned %d %s older than %d days",
                removed[kind],
                policies.KINDS[kind],
                policies.days(kind),
            )
    log.info("history pruned: %s; %d days of sync runs summed", removed, summed)
    return removed
