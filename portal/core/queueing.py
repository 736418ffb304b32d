"""Queueing a Celery task by name once the surrounding transaction commits.

Sending by name means no module imports a ``tasks.py`` to queue work. A task is sent only once
the rows it acts on are committed, so a worker never looks for rows that are not there yet. If
the broker is unreachable the request still succeeds: the rows are in the database, and each
caller's periodic safety net (named in ``fallback``) picks them up when Redis is back.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


def send_on_commit(name: str, queue: str, *args, fallback: str = "the periodic safety net") -> None:
    def send():
        try:
            # the project's app (portal/__init__.py makes it current); core imports no project module
            current_app.send_task(name, args=args, queue=queue)
        except Exception:
            log.warning("could not queue %s%r; %s will settle it", name, args, fallback)

    transaction.on_commit(send)
