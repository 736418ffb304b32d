"""When not to call a vendor: accounts whose credentials were refused, streams that keep failing.

A refused login retried every minute per stream makes some seventy failed logins an hour, and
vendors lock the user after a few, which also breaks every healthy account sharing it. So a
refused login or licence pauses the whole account until a person edits its settings or a
"Test connection" succeeds. Other failures back a stream off exponentially, reset on success.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from connectors import errors
from portal.core import audit, notify
from portal.sync import dispatch
from portal.sync.models import SyncCursor, VendorAccount

log = logging.getLogger(__name__)

#: errors no retry fixes and every retry makes worse (lockouts): a person has to act
PAUSING_ERRORS = (errors.AuthenticationError, errors.PermissionDeniedError)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)


class PullNotDue(Exception):
    """The pull was skipped without calling the vendor; the message says why."""


def pauses_account(exc: BaseException) -> bool:
    # a server without a feature (BioTime 8.0's resignations) refuses that one call, not the account
    return isinstance(exc, PAUSING_ERRORS) and not isinstance(exc, errors.UnsupportedError)


def pause_account(account_id: int, exc: errors.ConnectorError) -> bool:
    """Pause every stream and push of the account; returns whether it was running until now."""
    reason = f"{type(exc).__name__}: {exc.message}"[:500]
    paused = VendorAccount.objects.filter(pk=account_id, paused_at__isnull=True).update(
        paused_at=timezone.now(), paused_reason=reason
    )
    if paused:
        log.warning("vendor account %s paused: %s", account_id, reason)
        account = VendorAccount.objects.get(pk=account_id)
        audit.record("vendor_account.paused", obj=account, after={"reason": reason})
        notify.emit("sync_account.failed", f"vendor_account:{account.pk}", account_event(account))
    return bool(paused)


def resume_account(account_id: int) -> bool:
    """Lift a pause (settings edited or a connection test passed); waiting pushes go out."""
    resumed = VendorAccount.objects.filter(pk=account_id, paused_at__isnull=False).update(
        paused_at=None, paused_reason=""
    )
    if resumed:
        account = VendorAccount.objects.get(pk=account_id)
        audit.record("vendor_account.resumed", obj=account)
        notify.emit(
            "sync_account.recovered", f"vendor_account:{account.pk}", account_event(account)
        )
        dispatch.drain_outbox()
    return bool(resumed)


def account_event(account: VendorAccount) -> dict:
    return {
        "id": account.pk,
        "name": account.name,
        "kind": account.kind,
        "paused_reason": account.paused_reason,
    }


def check_account_not_paused(account: VendorAccount) -> None:
    if account.paused_at is not None:
        raise PullNotDue(f"paused: {account.paused_reason}")


def check_stream_due(cursor: SyncCursor) -> None:
    if cursor.next_attempt_at is not None and cursor.next_attempt_at > timezone.now():
        raise PullNotDue(f"backing off until {cursor.next_attempt_at:%H:%M:%S}")


def delay_after(failures: int) -> timedelta:
    """1 min, 2, 4, … capped at an hour, for the ``failures``-th failure in a row."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(failures - 1, 0))


def note_failure(cursor: SyncCursor) -> None:
    cursor.failures += 1
    cursor.next_attempt_at = timezone.now() + delay_after(cursor.failures)
    SyncCursor.objects.filter(pk=cursor.pk).update(
        failures=cursor.failures, next_attempt_at=cursor.next_attempt_at
    )


def note_wait(cursor: SyncCursor, until) -> None:
    """The vendor said when to come back (rate limit): not a failure, just not before then."""
    cursor.next_attempt_at = until
    SyncCursor.objects.filter(pk=cursor.pk).update(next_attempt_at=until)


def note_success(cursor: SyncCursor) -> None:
    if cursor.failures or cursor.next_attempt_at:
        cursor.failures, cursor.next_attempt_at = 0, None
        SyncCursor.objects.filter(pk=cursor.pk).update(failures=0, next_attempt_at=None)
