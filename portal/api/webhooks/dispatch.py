"""Queueing the webhook drain on the push queue, after the commit (as sync's dispatch does)."""

import logging

from django.db import transaction

from portal.celery import app as celery_app

log = logging.getLogger(__name__)

DELIVER_WEBHOOKS = "portal.api.tasks.deliver_webhooks"
QUEUE = "push"


def deliver_on_commit() -> None:
    def send():
        try:
            celery_app.send_task(DELIVER_WEBHOOKS, queue=QUEUE)
        except Exception:
            log.warning("could not queue webhook deliveries; beat's safety net will send them")

    transaction.on_commit(send)
