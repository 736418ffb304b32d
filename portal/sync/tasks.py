"""Celery tasks of the sync app: ids in, a plain function does the work (see pull.py, push.py)."""

import logging

from celery import shared_task

from portal.sync.lease import StreamBusy
from portal.sync.models import VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.push import drain
from portal.sync.schedules import streams_of
from portal.sync.services import check_connection

log = logging.getLogger(__name__)


@shared_task(name="portal.sync.tasks.pull_stream")
def pull_stream_task(account_id: int, stream: str, full: bool = False) -> str:
    try:
        run = pull_stream(account_id, stream, full=full)
    except StreamBusy:
        return "busy"  # the pull already running covers this tick
    except VendorAccount.DoesNotExist:
        return "account removed"  # a message queued before the account was deleted
    return run.status


@shared_task(name="portal.sync.tasks.pull_account")
def pull_account_task(account_id: int, full: bool = False) -> list[str]:
    """ "Sync now": every stream of the account, references first."""
    account = VendorAccount.objects.filter(pk=account_id).first()
    if account is None:
        return ["account removed"]
    results = []
    for stream in streams_of(account):
        results.append(f"{stream}: {pull_stream_task.run(account_id, stream, full)}")
    return results


@shared_task(name="portal.sync.tasks.push_outbox")
def push_outbox_task() -> int:
    return drain()


@shared_task(name="portal.sync.tasks.check_connection")
def check_connection_task(account_id: int) -> bool:
    return check_connection(account_id)


@shared_task(name="portal.sync.tasks.pull_for_webhook", bind=True, max_retries=5)
def pull_for_webhook_task(self, account_id: int, stream: str) -> str:
    """A vendor told us something changed: pull now, or right after the pull that is running."""
    try:
        return pull_stream(account_id, stream).status
    except StreamBusy:
        raise self.retry(countdown=5) from None
    except VendorAccount.DoesNotExist:
        return "account removed"
