"""Sending Celery tasks from web code: only after the transaction commits, never failing the request."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task`` once the surrounding transaction commits.

    If the broker is unreachable the request still succeeds: the rows the task would act on are
    in the database, and beat's periodic safety nets pick them up when Redis is back.
    """

    def send():
        try:
            task.delay(*args)
        except Exception:
            log.warning(
                "could not queue %s%r; it will run from the periodic safety net", task.name, args
            )

    transaction.on_commit(send)
