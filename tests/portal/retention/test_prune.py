"""Retention: what is old goes, what is still needed stays, the day sums add up, a second run
does nothing."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from portal.api.models import WebhookAttempt, WebhookEndpoint
from portal.api.models import WebhookDelivery as OutboundDelivery
from portal.attendance.models import Punch
from portal.core import audit
from portal.core.models import AuditEntry
from portal.doors.models import DoorStateChange
from portal.people.models import Offboarding
from portal.retention import policies
from portal.retention.prune import prune_history
from portal.sync.models import (
    OffboardingStep,
    OutboxMessage,
    SyncRun,
    SyncRunDay,
    WebhookDelivery,
)
from portal.sync.run_days import day_bounds
from tests.factories import DoorFactory, PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD = timezone.localtime(NOW - timedelta(days=120)).replace(hour=12)  # past all but the sums'
RECENT = NOW - timedelta(hours=2)


def run(account, stream, started_at, status=SyncRun.Status.SUCCEEDED, seconds=30, **counts):
    created = SyncRun.objects.create(account=account, stream=stream, status=status, **counts)
    finished = started_at + timedelta(seconds=seconds) if status != "running" else None
    SyncRun.objects.filter(pk=created.pk).update(started_at=started_at, finished_at=finished)
    return created.pk


def message(account, obj, status, at, record_kind="person"):
    created = OutboxMessage.objects.create(
        account=account,
        record_kind=record_kind,
        action="update",
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        idempotency_key=str(uuid.uuid4()),
        scheduled_for=at,
        status=status,
        sent_at=at if status == OutboxMessage.Status.SENT else None,
    )
    OutboxMessage.objects.filter(pk=created.pk).update(created_at=at)
    return created.pk


def test_old_runs_go_but_each_streams_latest_run_and_latest_success_stay():
    account = VendorAccountFactory()
    old = [run(account, "people", OLD + timedelta(minutes=m)) for m in range(5)]
    last_success = run(account, "punches", OLD)
    last_run = run(account, "punches", OLD + timedelta(minutes=1), status="failed")
    recent = run(account, "people", RECENT)
    stuck = run(account, "doors", OLD, status=SyncRun.Status.DEFERRED)

    removed = prune_history(NOW)

    assert removed["sync_runs"] == 5
    assert not SyncRun.objects.filter(pk__in=old).exists()
    assert set(SyncRun.objects.values_list("pk", flat=True)) == {
        last_success,
        last_run,
        recent,
        stuck,
    }


def test_day_sums_equal_the_totals_of_the_runs_pruned():
    account = VendorAccountFactory()
    totals = {"runs": 0, "failed": 0, "fetched": 0, "written": 0, "seconds": 0}
    for minute in range(6):
        status = "failed" if minute % 3 == 0 else "succeeded"
        run(
            account,
            "punches",
            OLD + timedelta(minutes=minute),
            status=status,
            seconds=10 + minute,
            fetched=100 + minute,
            created=minute,
            updated=1,
        )
        totals["runs"] += 1
        totals["failed"] += status == "failed"
        totals["fetched"] += 100 + minute
        totals["written"] += minute + 1
        totals["seconds"] += 10 + minute
    run(account, "punches", RECENT)  # the stream's latest: the old ones are all prunable

    prune_history(NOW)

    day = timezone.localtime(OLD).date()
    assert not SyncRun.objects.filter(started_at__lt=day_bounds(day)[1]).exists()
    summary = SyncRunDay.objects.get(account=account, stream="punches", day=day)
    assert (summary.runs, summary.failed, summary.fetched, summary.written) == (
        totals["runs"],
        totals["failed"],
        totals["fetched"],
        totals["written"],
    )
    assert summary.duration_seconds == pytest.approx(totals["seconds"])


def test_a_second_prune_changes_nothing():
    account = VendorAccountFactory()
    for days in range(40):
        run(account, "people", NOW - timedelta(days=days), fetched=days)
    first = prune_history(NOW)
    sums = list(SyncRunDay.objects.values_list("day", "runs", "fetched").order_by("day"))
    left = set(SyncRun.objects.values_list("pk", flat=True))

    second = prune_history(NOW)

    assert first["sync_runs"] == 40 - 30 - 1  # 30 days kept, and today's run is not yet summed
    assert not any(second.values())
    assert list(SyncRunDay.objects.values_list("day", "runs", "fetched").order_by("day")) == sums
    assert set(SyncRun.objects.values_list("pk", flat=True)) == left


def test_pruning_runs_in_small_batches_removes_everything_due():
    account = VendorAccountFactory()
    for minute in range(7):
        run(account, "people", OLD + timedelta(minutes=minute))
    run(account, "people", RECENT)
    assert prune_history(NOW, batch_size=2)["sync_runs"] == 7
    assert SyncRun.objects.count() == 1


def test_only_done_messages_no_page_or_proof_needs_are_pruned():
    account = VendorAccountFactory()
    person, other, leaver = PersonFactory(), PersonFactory(), PersonFactory()
    older_sent = message(account, person, "sent", OLD)
    newest_sent = message(account, person, "sent", OLD + timedelta(hours=1))
    superseded = message(account, other, "superseded", OLD)
    pending = message(account, other, "pending", OLD)
    failed = message(account, other, "failed", OLD)
    recent_sent = message(account, other, "sent", RECENT)
    proof = message(account, leaver, "sent", OLD)
    message(account, leaver, "sent", OLD + timedelta(hours=1))  # newer: proof is not the newest
    offboarding = Offboarding.objects.create(
        person=leaver, last_day=OLD.date(), reason="Left", scheduled_for=OLD
    )
    OffboardingStep.objects.create(
        offboarding=offboarding, account=account, action="disable", message_id=proof
    )
    punch = Punch.objects.create(person=person, account=account, punched_at=OLD, direction="in")
    sent_punch = message(account, punch, "sent", OLD, record_kind="punch")

    removed = prune_history(NOW)

    gone = {older_sent, superseded, sent_punch}
    assert removed["sent_pushes"] == len(gone)
    assert not OutboxMessage.objects.filter(pk__in=gone).exists()
    kept = {newest_sent, pending, failed, recent_sent, proof}
    assert kept <= set(OutboxMessage.objects.values_list("pk", flat=True))
    assert OffboardingStep.objects.get(offboarding=offboarding).message_id == proof


def test_old_door_readings_go_but_each_doors_latest_stays():
    busy, quiet = DoorFactory(), DoorFactory()

    def reading(door, at):
        return DoorStateChange.objects.create(
            door=door, changed_at=at, state="locked", mode="normal"
        ).pk

    old = [reading(busy, OLD + timedelta(minutes=m)) for m in range(3)]
    recent = reading(busy, RECENT)
    quiet_last = reading(quiet, OLD)

    assert prune_history(NOW)["door_states"] == 3
    assert not DoorStateChange.objects.filter(pk__in=old).exists()
    assert set(DoorStateChange.objects.values_list("pk", flat=True)) == {recent, quiet_last}


def test_delivered_webhooks_go_with_their_attempts_and_undelivered_ones_stay():
    endpoint = WebhookEndpoint.objects.create(
        name="HR suite", url="http://127.0.0.1:9/hook", events=["person.updated"], secret={}
    )

    def delivery(status, delivered_at=None):
        created = OutboundDelivery.objects.create(
            endpoint=endpoint,
            delivery_id=uuid.uuid4(),
            event="person.updated",
            subject="person:1",
            body="{}",
            status=status,
            next_attempt_at=OLD,
            delivered_at=delivered_at,
        )
        WebhookAttempt.objects.create(delivery=created, at=OLD, status_code=200)
        return created.pk

    delivered = delivery("delivered", OLD)
    fresh = delivery("delivered", RECENT)
    parked = delivery("parked")
    pending = delivery("pending")
    account = VendorAccountFactory(kind="worktime")
    received = WebhookDelivery.objects.create(account=account, delivery_id="d1", event="x")
    WebhookDelivery.objects.filter(pk=received.pk).update(received_at=OLD)

    removed = prune_history(NOW)

    assert removed["webhook_deliveries"] == 1 and removed["received_webhooks"] == 1
    assert set(OutboundDelivery.objects.values_list("pk", flat=True)) == {fresh, parked, pending}
    assert not WebhookAttempt.objects.filter(delivery_id=delivered).exists()
    assert not WebhookDelivery.objects.exists()


def test_the_audit_log_is_never_pruned():
    audit.record("person.updated", obj=PersonFactory())
    before = AuditEntry.objects.count()
    prune_history(NOW + timedelta(days=3650))
    assert AuditEntry.objects.count() == before == 1


def test_retention_days_come_from_settings(settings):
    settings.WORKGATE_RETENTION = {**settings.WORKGATE_RETENTION, "sync_runs": 7}
    account = VendorAccountFactory()
    week_old = run(account, "people", NOW - timedelta(days=10))
    run(account, "people", NOW - timedelta(days=5))
    run(account, "people", RECENT)
    assert policies.days("sync_runs") == 7
    assert prune_history(NOW)["sync_runs"] == 1
    assert not SyncRun.objects.filter(pk=week_old).exists()


def test_health_page_shows_the_years_sums_after_the_runs_are_pruned(client_as):
    account = VendorAccountFactory(name="BioTime HQ")
    for days in range(60):
        run(account, "employees", NOW - timedelta(days=days), fetched=10)
    run(account, "employees", NOW - timedelta(days=5), status="failed")
    prune_history(NOW)
    html = client_as("admin").get(reverse("sync:health")).content.decode()
    assert "Last 365 days: 60 runs, 1 failed, 590 records read" in html


def test_the_prune_is_a_daily_beat_task(settings):
    from portal.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["prune-history"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {3}
