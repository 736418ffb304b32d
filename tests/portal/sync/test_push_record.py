"""A batch's answers are recorded together (one transaction, not one commit per message), and
a worker stopped mid-batch keeps what it sent and sends again only what it had not."""

from datetime import timedelta

import httpx
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.sync import push
from portal.sync.models import ExternalLink, OutboxMessage
from portal.sync.outbox import enqueue_person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def hire_all(count):
    people = PersonFactory.create_batch(count)
    for person in people:
        with transaction.atomic():
            enqueue_person(person, "create")
    return people


def edit_all(people):
    for person in people:
        person.last_name += "-Edited"
        person.save(update_fields=["last_name"])
        with transaction.atomic():
            enqueue_person(person, "update")


class WorkerKilled(BaseException):
    """The worker stops dead (not an error any code handles)."""


class KilledAtPut(httpx.BaseTransport):
    """The simulator, until the worker is killed as it is about to send the ``nth`` PUT."""

    def __init__(self, wired, nth):
        self.inner, self.nth, self.puts = wired.transport, nth, 0

    def handle_request(self, request):
        if request.method == "PUT":
            self.puts += 1
            if self.puts == self.nth:
                raise WorkerKilled
        return self.inner.handle_request(request)


def test_a_batchs_answers_and_links_are_recorded_in_one_statement_each(biostar):
    people = hire_all(4)
    push.drain(transport=biostar.transport, sleep=lambda s: None)
    edit_all(people)

    with CaptureQueriesContext(connection) as queries:
        push.drain(transport=biostar.transport, sleep=lambda s: None)

    sql = [q["sql"] for q in queries.captured_queries]
    # one prepared statement for the whole batch, run once per message (Django logs an
    # executemany as "4 times: UPDATE …")
    recorded = [s for s in sql if 'UPDATE "sync_outboxmessage" SET "status"' in s]
    assert recorded and all(s.startswith("4 times: UPDATE") for s in recorded)
    assert len(recorded) == 1
    assert sum('UPDATE "sync_externallink"' in s for s in sql) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    stamps = ExternalLink.objects.values_list("last_pushed_at", flat=True)
    assert all(at is not None and at > timezone.now() - timedelta(minutes=1) for at in stamps)


def test_a_worker_stopped_mid_batch_records_what_it_sent_and_nothing_else(biostar):
    people = hire_all(4)
    push.drain(transport=biostar.transport, sleep=lambda s: None)
    edit_all(people)
    edits = OutboxMessage.objects.filter(action="update").order_by("scheduled_for", "id")

    with pytest.raises(WorkerKilled):
        push.drain(transport=KilledAtPut(biostar, nth=3), sleep=lambda s: None)

    statuses = [m.status for m in edits]
    assert statuses == ["sent", "sent", "pending", "pending"]
    assert all(m.sent_at is None and m.attempts == 1 for m in edits if m.status == "pending")
    # their claims lapse; the next drain sends the two not recorded, and only those
    OutboxMessage.objects.filter(status="pending").update(scheduled_for=timezone.now())
    biostar.simulator.request_log.clear()
    push.drain(transport=biostar.transport, sleep=lambda s: None)
    puts = [p for m, p in biostar.simulator.request_log if m == "PUT"]
    assert len(puts) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
