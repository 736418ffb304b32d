"""Several workers draining webhook deliveries at once, on PostgreSQL where row locks are real.

Each drainer is a thread with its own database connection, as Celery workers have. Every
delivery must reach the receiver exactly once, and each subject's deliveries in the order the
events happened.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from portal.api.models import WebhookDelivery, WebhookEndpoint
from portal.api.webhooks import delivery
from portal.api.webhooks.outbox import enqueue
from tests.portal.api.receiver import start_receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DRAINERS = 6
SUBJECTS = 10
EVENTS = 5


def test_concurrent_drains_send_each_delivery_once_in_order_per_subject():
    receiver, server = start_receiver()
    try:
        WebhookEndpoint.objects.create(
            name="r", url=receiver.url, events=["person.changed"], secret={"current": "s"}
        )
        for n in range(EVENTS):
            for subject in range(SUBJECTS):
                enqueue("person.changed", f"person:{subject}", {"n": n})
        errors: list[BaseException] = []
        start = threading.Barrier(DRAINERS)

        def work():
            try:
                start.wait()
                delivery.drain()
            except BaseException as exc:  # reported by the test, not lost in the thread
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(DRAINERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        delivery.drain()  # what a head released after another drainer looked is sent here
        ids = [r.id for r in receiver.requests]
        assert len(ids) == len(set(ids)) == SUBJECTS * EVENTS  # each exactly once
        for subject in range(SUBJECTS):
            seen = [
                r.payload["data"]["n"]
                for r in receiver.requests
                if r.payload["subject"] == f"person:{subject}"
            ]
            assert seen == list(range(EVENTS))
        assert not WebhookDelivery.objects.exclude(status="delivered").exists()
    finally:
        server.shutdown()
        server.server_close()
