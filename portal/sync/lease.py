"""One pull per stream at a time, enforced in the database so it holds across workers.

A lease lives for LEASE_TTL and its holder renews it at every page checkpoint and from a
heartbeat thread every RENEW_EVERY, so a live holder's lease never lapses while a dead one's
lapses within LEASE_TTL. Whoever takes a lapsed lease closes the dead holder's run as
"interrupted"; beat's ``close_dead_runs`` does the same for streams nobody pulls again soon.
"""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from portal.sync.models import SyncCursor, SyncRun, VendorAccount

log = logging.getLogger(__name__)

#: a dead holder's lease lapses after this, so a stream is never stuck for longer
LEASE_TTL = timedelta(seconds=20)
#: a live holder renews this often, so its lease always has more than TTL - RENEW_EVERY left
RENEW_EVERY = timedelta(seconds=5)
#: a lease not renewed for this long belongs to a holder that is most likely dead
SILENT_AFTER = 2 * RENEW_EVERY

INTERRUPTED_BY_DEATH = (
    "Interrupted: the worker running this pull stopped (killed, restarted or lost) before it "
    "finished. The next pull went on from the last saved page; nothing needs doing."
)
INTERRUPTED_BY_TAKEOVER = (
    "Interrupted: this worker went silent for too long and another one took the stream over "
    "from the last saved page."
)


class StreamBusy(Exception):
    """Another pull of the same stream holds the lease."""

    def __init__(self, message: str, *, expires_at: datetime):
        super().__init__(message)
        self.expires_at = expires_at

    @property
    def seconds_left(self) -> float:
        return max((self.expires_at - timezone.now()).total_seconds(), 0.0)

    @property
    def holder_silent(self) -> bool:
        """The holder has not renewed for a while: it is probably dead and its lease will lapse."""
        renewed_at = self.expires_at - LEASE_TTL
        return timezone.now() - renewed_at > SILENT_AFTER


class LeaseLost(Exception):
    """Another worker took the stream over (this holder was silent past the TTL)."""


def new_owner(task_id: str | None = None) -> str:
    """A lease owner token; a redelivered Celery task (same id) may take over its own lease."""
    return f"{task_id or 'local'}:{uuid.uuid4().hex}"


@dataclass
class Lease:
    cursor: SyncCursor
    owner: str

    def _mine(self):
        return SyncCursor.objects.filter(pk=self.cursor.pk, lease_owner=self.owner)

    def renew(self) -> bool:
        return bool(self._mine().update(lease_expires_at=timezone.now() + LEASE_TTL))

    def checkpoint(self, **cursor_fields) -> None:
        """Renew (and save ``cursor_fields``) as the first step of a page's transaction.

        On PostgreSQL the UPDATE locks the row until the page commits, so nobody takes the
        stream over half-way through a page; if it was already taken, the page rolls back.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("checkpoint() belongs inside the page's transaction")
        fields = {"lease_expires_at": timezone.now() + LEASE_TTL, **cursor_fields}
        if not self._mine().update(**fields):
            raise LeaseLost(INTERRUPTED_BY_TAKEOVER)


class _Heartbeat(threading.Thread):
    """Renews the lease while its holder waits on a slow vendor between checkpoints."""

    def __init__(self, lease: Lease):
        super().__init__(name=f"lease-{lease.cursor.stream}", daemon=True)
        self.lease = lease
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(RENEW_EVERY.total_seconds()):
                try:
                    if not self.lease.renew():
                        return  # taken over; the holder finds out at its next checkpoint
                except DatabaseError as exc:  # a busy database: the next beat tries again
                    log.info("lease renewal of %s deferred: %s", self.lease.cursor.stream, exc)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.stopped.set()
        self.join(timeout=10)


def _acquire(cursor: SyncCursor, owner: str) -> bool:
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    task_id = owner.split(":", 1)[0]
    if task_id != "local":
        # The same Celery task delivered again: the broker only does that once the worker
        # that ran it is gone, so its lease is dead even though it has not lapsed yet.
        free |= Q(lease_owner__startswith=f"{task_id}:")
    return bool(
        SyncCursor.objects.filter(free, pk=cursor.pk).update(
            lease_owner=owner, lease_expires_at=now + LEASE_TTL
        )
    )


@contextmanager
def stream_lease(account: VendorAccount, stream: str, *, task_id: str | None = None):
    """Hold the stream for the block; yields the :class:`Lease` (its ``cursor`` is fresh)."""
    cursor, _ = SyncCursor.objects.get_or_create(account=account, stream=stream)
    owner = new_owner(task_id)
    if not _acquire(cursor, owner):
        cursor.refresh_from_db(fields=["lease_expires_at"])
        raise StreamBusy(
            f"{account} / {stream} is already being pulled",
            expires_at=cursor.lease_expires_at or timezone.now(),
        )
    cursor.refresh_from_db()
    interrupt_runs_of(account, stream)
    lease = Lease(cursor, owner)
    heartbeat = _Heartbeat(lease)
    heartbeat.start()
    try:
        yield lease
    finally:
        heartbeat.stop()
        SyncCursor.objects.filter(pk=cursor.pk, lease_owner=owner).update(
            lease_owner="", lease_expires_at=None
        )


def interrupt_runs_of(account: VendorAccount, stream: str) -> int:
    """Close the stream's runs left "running": whoever holds the lease now, they are dead."""
    return SyncRun.objects.filter(
        account=account, stream=stream, status=SyncRun.Status.RUNNING
    ).update(
        status=SyncRun.Status.INTERRUPTED, finished_at=timezone.now(), error=INTERRUPTED_BY_DEATH
    )


def close_dead_runs() -> int:
    """Beat's sweep: a run still "running" whose stream lease lapsed lost its worker."""
    live_lease = SyncCursor.objects.filter(
        account_id=OuterRef("account_id"),
        stream=OuterRef("stream"),
        lease_expires_at__gte=timezone.now(),
    )
    # One UPDATE: a run that finishes meanwhile is no longer "running" and is left alone
    return (
        SyncRun.objects.filter(status=SyncRun.Status.RUNNING)
        .filter(~Exists(live_lease))
        .update(
            status=SyncRun.Status.INTERRUPTED,
            finished_at=timezone.now(),
            error=INTERRUPTED_BY_DEATH,
        )
    )
