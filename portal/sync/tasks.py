"""Celery tasks of the sync app: ids in, a plain function does the work (see pull.py, push.py)."""

import logging

from celery import shared_task

from portal.sync.lease import StreamBusy
from portal.sync.pull import pull_stream
from portal.sync.schedules import streams_of

log = logging.getLogger(__name__)


@shared_task(name="portal.sync.tasks.pull_stream")
def pull_stream_task(account_id: int, stream: str, full: bool = False) -> str:
    try:
        run = pull_stream(account_id, stream, full=full)
    except StreamBusy:
        return "busy"  # the pull already running covers this tick
    return run.status


@shared_task(name="portal.sync.tasks.pull_account")
def pull_account_task(account_id: int, full: bool = False) -> list[str]:
    """"Sync now": every stream of the account, references first."""
    from portal.sync.models import VendorAccount

    account = VendorAccount.objects.get(pk=account_id)
    results = []
    for stream in streams_of(account):
        results.append(f"{stream}: {pull_stream_task.run(account_id, stream, full)}")
    return results


@shared_task(name="portal.sync.tasks.push_outbox")
def push_outbox_task() -> int:
    from portal.sync.push import drain

    return drain()


@shared_task(name="portal.sync.tasks.check_connection")
def check_connection_task(account_id: int) -> bool:
    from portal.sync.services import check_connection

    return check_connection(account_id)
