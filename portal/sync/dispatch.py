"""Queueing sync's Celery tasks: the one module that does, by task name, after the commit.

Sending by name means no module imports ``tasks.py`` to queue work: tasks import the code they
run, never the other way round. A task is sent only once the surrounding transaction commits, so
a worker never looks for rows that are not there yet. If the broker is unreachable the request
still succeeds: the rows the task would act on are in the database, and beat's periodic safety
nets pick them up when Redis is back.
"""

from __future__ import annotations

from portal.core import queueing

PULL_ACCOUNT = "portal.sync.tasks.pull_account"
PULL_FOR_WEBHOOK = "portal.sync.tasks.pull_for_webhook"
PUSH_OUTBOX = "portal.sync.tasks.push_outbox"
PUSH_ACCOUNT = "portal.sync.tasks.push_account"
CHECK_CONNECTION = "portal.sync.tasks.check_connection"

#: the queue of each task sent from here (tests check these agree with CELERY_TASK_ROUTES)
QUEUES = {
    PULL_ACCOUNT: "sync",
    PULL_FOR_WEBHOOK: "sync",
    PUSH_OUTBOX: "push",
    PUSH_ACCOUNT: "push",
    CHECK_CONNECTION: "celery",
}


def send_on_commit(name: str, *args) -> None:
    """Queue the task ``name`` with ``args`` once the surrounding transaction commits."""
    queueing.send_on_commit(name, QUEUES[name], *args)


def drain_outbox() -> None:
    send_on_commit(PUSH_OUTBOX)


def drain_account(account_id: int) -> None:
    send_on_commit(PUSH_ACCOUNT, account_id)


def pull_account(account_id: int) -> None:
    send_on_commit(PULL_ACCOUNT, account_id)


def pull_for_webhook(account_id: int, stream: str) -> None:
    send_on_commit(PULL_FOR_WEBHOOK, account_id, stream)


def check_connection(account_id: int) -> None:
    send_on_commit(CHECK_CONNECTION, account_id)


def pull_access_groups(account_id: int) -> None:
    """Read an account's access groups now (a page asked for them before the hourly pull)."""
    send_on_commit(PULL_FOR_WEBHOOK, account_id, "access_groups")
