"""Celery tasks of the sync app: ids in, a plain function does the work (see pull.py, push.py)."""

import logging

from celery import shared_task

from portal.sync.access_problems import check_terminated_access
from portal.sync.backoff import PullNotDue
from portal.sync.door_commands import send_command
from portal.sync.lease import StreamBusy, close_dead_runs
from portal.sync.models import VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.push import drain, fan_out
from portal.sync.schedules import streams_of
from portal.sync.services import check_connection

log = logging.getLogger(__name__)


#: how often a scheduled pull waits for a silent holder's lease to lapse before giving up
MAX_LEASE_WAITS = 3


@shared_task(name="portal.sync.tasks.pull_stream", bind=True, max_retries=MAX_LEASE_WAITS)
def pull_stream_task(self, account_id: int, stream: str, full: bool = False) -> str:
    try:
        run = pull_stream(account_id, stream, full=full, task_id=self.request.id, scheduled=True)
    except StreamBusy as busy:
        # (A redelivery of a task whose worker died never gets here: it takes its own lease.)
        if busy.holder_silent and self.request.retries < MAX_LEASE_WAITS:
            # The holder looks dead: come back just after its lease lapses, rather than drop
            # the pull and leave the stream (door state!) stale until the next tick after that.
            raise self.retry(countdown=busy.seconds_left + 1) from None
        return "busy"  # the pull already running covers this tick
    except PullNotDue as skipped:
        return str(skipped)
    except VendorAccount.DoesNotExist:
        return "account removed"  # a message queued before the account was deleted
    return run.status


@shared_task(name="portal.sync.tasks.pull_account", bind=True)
def pull_account_task(self, account_id: int, full: bool = False) -> list[str]:
    """ "Sync now": every stream of the account, references first (backoff does not apply)."""
    account = VendorAccount.objects.filter(pk=account_id).first()
    if account is None:
        return ["account removed"]
    results = []
    for stream in streams_of(account):
        try:
            status = pull_stream(account_id, stream, full=full, task_id=self.request.id).status
        except (StreamBusy, PullNotDue) as skipped:
            status = "busy" if isinstance(skipped, StreamBusy) else str(skipped)
        results.append(f"{stream}: {status}")
    return results


@shared_task(name="portal.sync.tasks.close_dead_runs")
def close_dead_runs_task() -> int:
    """Beat's sweep for runs whose worker died and whose stream nobody pulled since."""
    return close_dead_runs()


@shared_task(name="portal.sync.tasks.push_outbox")
def push_outbox_task() -> list[int]:
    """Beat's and every change's kick: one ``push_account`` task per account with due messages."""
    return fan_out()


@shared_task(name="portal.sync.tasks.push_account")
def push_account_task(account_id: int) -> int:
    """Deliver one account's due messages: accounts drain side by side in the worker processes."""
    return drain(account_id=account_id)


@shared_task(name="portal.sync.tasks.check_connection")
def check_connection_task(account_id: int) -> bool:
    return check_connection(account_id)


@shared_task(name="portal.sync.tasks.pull_for_webhook", bind=True, max_retries=5)
def pull_for_webhook_task(self, account_id: int, stream: str) -> str:
    """A vendor told us something changed: pull now, or right after the pull that is running."""
    try:
        return pull_stream(account_id, stream, task_id=self.request.id).status
    except StreamBusy:
        raise self.retry(countdown=5) from None
    except PullNotDue as skipped:
        return str(skipped)
    except VendorAccount.DoesNotExist:
        return "account removed"


@shared_task(name="portal.sync.tasks.send_door_command")
def send_door_command_task(command_id: int) -> str:
    """On the ``doors`` queue: one door command, refused if expired, then its state read back."""
    return send_command(command_id).status


@shared_task(name="portal.sync.tasks.check_terminated_access")
def check_terminated_access_task() -> int:
    """Daily: people terminated here but active again in a vendor become problems."""
    return check_terminated_access()
