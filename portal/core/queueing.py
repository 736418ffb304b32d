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

#: For a nudge that a frequent beat task makes good anyway: one reconnect at once, no waiting.
#: Celery's default publish retries sleep 0.2 s and 0.4 s before giving up on a broker that is
#: down: a pull of punches waited 0.6 s for it at its end.
NUDGE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}


def send_on_commit(
    name: str,
    queue: str,
    *args,
    fallback: str = "the periodic safety net",
    retry_policy: dict | None = None,
) -> None:
    """``retry_policy``: Celery's publish retries (None: the app's, which wait ~0.6 s for a
    broker that is down; :data:`NUDGE_RETRY_POLICY` for a nudge)."""
    options = {} if retry_policy is None else {"retry_policy": retry_policy}

    def send():
        try:
            # the project's app (portal/__init__.py makes it current); core imports no project module
            current_app.send_task(name, args=args, queue=queue, **options)
        except Exception:
            log.warning("could not queue %s%r; %s will settle it", name, args, fallback)

    transaction.on_commit(send)
