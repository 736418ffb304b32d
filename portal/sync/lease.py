"""One pull per stream at a time, enforced in the database so it holds across workers."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from portal.sync.models import SyncCursor, VendorAccount

#: a crashed worker's lease lapses after this, so the stream is never stuck for long
LEASE_TTL = timedelta(minutes=5)


class StreamBusy(Exception):
    """Another pull of the same stream is running."""


def _acquire(cursor: SyncCursor, owner: str) -> bool:
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_owner=owner)
    return bool(
        SyncCursor.objects.filter(free, pk=cursor.pk).update(
            lease_owner=owner, lease_expires_at=now + LEASE_TTL
        )
    )


def renew(cursor: SyncCursor) -> None:
    SyncCursor.objects.filter(pk=cursor.pk, lease_owner=cursor.lease_owner).update(
        lease_expires_at=timezone.now() + LEASE_TTL
    )


@contextmanager
def stream_lease(account: VendorAccount, stream: str):
    cursor, _ = SyncCursor.objects.get_or_create(account=account, stream=stream)
    owner = uuid.uuid4().hex
    if not _acquire(cursor, owner):
        raise StreamBusy(f"{account} / {stream} is already being pulled")
    cursor.refresh_from_db()
    try:
        yield cursor
    finally:
        SyncCursor.objects.filter(pk=cursor.pk, lease_owner=owner).update(
            lease_owner="", lease_expires_at=None
        )
