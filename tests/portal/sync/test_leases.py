"""Stream leases: renewed while the holder works, lapsing soon after it dies, dead runs closed."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.sync import lease
from portal.sync.lease import StreamBusy, close_dead_runs, new_owner, stream_lease
from portal.sync.models import SyncCursor, SyncRun
from portal.sync.pull import pull_stream


def pull(wired, stream, **kwargs):
    return pull_stream(
        wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None, **kwargs
    )


def die_holding(account, stream, task_id=None) -> SyncRun:
    """A pull whose process was killed after its first page: its lease and its run left behind.

    What a SIGKILL leaves: a lease nobody renews any more and a run still saying "running".
    """
    cursor, _ = SyncCursor.objects.get_or_create(account=account, stream=stream)
    assert lease._acquire(cursor, new_owner(task_id))
    return SyncRun.objects.create(account=account, stream=stream, pages=1, fetched=20)


def test_lease_ttl_is_short_and_renewed_well_within_it():
    assert timedelta(seconds=30) >= lease.LEASE_TTL
    assert lease.RENEW_EVERY * 3 <= lease.LEASE_TTL


@pytest.mark.django_db(transaction=True)
def test_a_live_holder_keeps_its_lease_far_past_the_ttl(biostar, monkeypatch):
    """The heartbeat thread renews while the holder waits (a slow vendor, a long page)."""
    monkeypatch.setattr(lease, "LEASE_TTL", timedelta(seconds=1))
    monkeypatch.setattr(lease, "RENEW_EVERY", timedelta(seconds=0.2))
    with stream_lease(biostar.account, "door_state"):
        for _ in range(3):
            time.sleep(1)
            with pytest.raises(StreamBusy) as busy:
                pull(biostar, "door_state")
            assert not busy.value.holder_silent
    assert pull(biostar, "door_state").status == "succeeded"  # released on the way out


@pytest.mark.django_db
def test_a_dead_holder_lapses_within_the_ttl_then_the_next_pull_proceeds(biostar, monkeypatch):
    monkeypatch.setattr(lease, "LEASE_TTL", timedelta(seconds=1.5))
    dead_run = die_holding(biostar.account, "door_state")
    died_at = time.monotonic()

    while True:
        try:
            run = pull(biostar, "door_state")
            break
        except StreamBusy:
            assert time.monotonic() - died_at < 20, "the dead holder's lease never lapsed"
            time.sleep(0.05)
    waited = time.monotonic() - died_at
    assert waited > 1.0  # held until its time-to-live ran out (how soon after is load-dependent)
    assert run.status == "succeeded"
    dead_run.refresh_from_db()
    assert dead_run.status == SyncRun.Status.INTERRUPTED
    assert dead_run.finished_at is not None and "worker running this pull stopped" in dead_run.error


@pytest.mark.django_db
def test_a_redelivered_task_takes_its_own_dead_lease_over_at_once(biostar):
    """Celery redelivers a task only after its worker died: same task id, nothing to wait for."""
    dead_run = die_holding(biostar.account, "door_state", task_id="task-7")
    with pytest.raises(StreamBusy):
        pull(biostar, "door_state", task_id="task-8")  # somebody else's lease: still alive

    run = pull(biostar, "door_state", task_id="task-7")
    assert run.status == "succeeded"
    dead_run.refresh_from_db()
    assert dead_run.status == "interrupted"


@pytest.mark.django_db
def test_a_busy_stream_tells_whether_its_holder_has_gone_silent(biostar):
    die_holding(biostar.account, "door_state")
    with pytest.raises(StreamBusy) as busy:
        pull(biostar, "door_state")
    assert not busy.value.holder_silent
    assert lease.LEASE_TTL.total_seconds() - 1 < busy.value.seconds_left <= 20

    # the holder last renewed longer ago than two heartbeats: most likely dead
    last_renewal = timezone.now() - lease.SILENT_AFTER - timedelta(seconds=1)
    SyncCursor.objects.update(lease_expires_at=last_renewal + lease.LEASE_TTL)
    with pytest.raises(StreamBusy) as busy:
        pull(biostar, "door_state")
    assert busy.value.holder_silent
    assert busy.value.seconds_left < lease.LEASE_TTL.total_seconds() - lease.SILENT_AFTER.seconds


@pytest.mark.django_db
def test_beat_closes_runs_whose_lease_lapsed_and_leaves_live_ones(biostar, q2, client_as):
    dead = die_holding(biostar.account, "door_state")
    alive = die_holding(q2.account, "people")
    SyncCursor.objects.filter(stream="door_state").update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    finished = SyncRun.objects.create(
        account=biostar.account, stream="doors", status=SyncRun.Status.SUCCEEDED
    )

    assert close_dead_runs() == 1
    dead.refresh_from_db(), alive.refresh_from_db(), finished.refresh_from_db()
    assert (dead.status, alive.status, finished.status) == ("interrupted", "running", "succeeded")
    health = client_as("admin").get(reverse("sync:health")).content.decode()
    assert "Interrupted: its worker stopped" in health and "nothing needs doing" in health


@pytest.mark.django_db
def test_a_holder_that_was_taken_over_stops_before_writing_another_page(q2):
    q2.account.options["page_size"] = 50
    q2.account.save()
    pull(q2, "people", full=True)

    def taken_over_after_second_page(run):
        if run.pages == 2:  # silent too long: someone else holds the stream now
            SyncCursor.objects.filter(stream="time_cards").update(lease_owner="other:1")

    # every page its own batch: taken over between two commits
    run = pull(q2, "time_cards", on_page=taken_over_after_second_page, batch_rows=1)
    assert run.status == "interrupted" and run.pages == 2
    assert "another one took the stream over" in run.error
    cursor = SyncCursor.objects.get(stream="time_cards")
    assert cursor.lease_owner == "other:1"  # the new holder's lease is left alone
