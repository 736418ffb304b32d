"""Several workers draining the outbox at once, on PostgreSQL where row locks are real.

Each drainer is a thread with its own database connection, as Celery workers have. A person
edited several times in a row gives the workers many due messages of the same record to fight
over: the claim must never deadlock, send each person once, and send the newest change.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import (
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from portal.people.models import Person
from portal.sync import push
from portal.sync.models import OutboxMessage, PendingCreate
from portal.sync.outbox import person_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DRAINERS = 8
PEOPLE = 25
EDITS = 4


def edit_people_in_bursts(account) -> dict[str, str]:
    """Each person hired, then renamed EDITS times: their messages are next to each other.

    The rows (and the owed create) are those ``enqueue_person`` writes, without its on-commit Celery kick: no broker
    runs in tests, and here every commit is real.
    """
    content_type = ContentType.objects.get_for_model(Person)
    messages, newest = [], {}
    for n in range(PEOPLE):
        code = f"7{n:04d}"
        person = Person.objects.create(employee_code=code, first_name="Hired", last_name=f"P{n}")
        PendingCreate.objects.create(account=account, person=person)  # as a hire's message owes
        for edit in range(EDITS + 1):
            if edit:
                person.first_name = f"Edit{edit}"
                person.save(update_fields=["first_name"])  # reconcile sends the stored person
            messages.append(
                OutboxMessage(
                    account=account,
                    record_kind="person",
                    action="update" if edit else "create",
                    content_type=content_type,
                    object_id=person.pk,
                    payload=person_payload(person),
                    idempotency_key=f"person:{person.pk}:{len(messages)}",
                    scheduled_for=timezone.now(),
                )
            )
        newest[code] = f"{person.first_name} {person.last_name}"
    OutboxMessage.objects.bulk_create(messages)
    return newest


def drain_concurrently(wired) -> tuple[int, list[BaseException]]:
    """DRAINERS threads drain until nothing is due; returns deadlocks seen and other errors."""
    deadlocks = 0
    errors: list[BaseException] = []
    count_lock = threading.Lock()
    start = threading.Barrier(DRAINERS)

    def work():
        nonlocal deadlocks
        try:
            start.wait()
            while True:
                try:
                    if push.drain(transport=wired.transport, sleep=lambda s: None) == 0:
                        return
                except OperationalError as exc:
                    if "deadlock" not in str(exc):
                        raise
                    with count_lock:
                        deadlocks += 1
                    close_old_connections()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(DRAINERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a drainer hung"
    return deadlocks, errors


def test_concurrent_drains_never_deadlock_and_send_each_person_once(biostar):
    newest = edit_people_in_bursts(biostar.account)
    assert OutboxMessage.objects.count() == PEOPLE * (EDITS + 1)

    deadlocks, errors = drain_concurrently(biostar)

    assert errors == []
    by_status = {
        status: OutboxMessage.objects.filter(status=status).count()
        for status in OutboxMessage.Status.values
    }
    creates = [entry for entry in biostar.simulator.request_log if entry == ("POST", "/api/users")]
    # all figures in one comparison, so a failure shows the whole picture
    assert (deadlocks, by_status, len(creates)) == (
        0,
        {"pending": 0, "sent": PEOPLE, "superseded": PEOPLE * EDITS, "failed": 0},
        PEOPLE,  # each person reached BioStar once: no second send
    )
    for code, name in newest.items():
        sent = OutboxMessage.objects.get(status="sent", payload__code=code)
        assert sent.payload["first_name"] == name.split()[0]  # the newest change won
        assert biostar.simulator.users[code].name == name


def test_a_claim_meeting_a_locked_row_waits_holding_nothing_then_claims_the_newest(biostar):
    person = Person.objects.create(employee_code="70999", first_name="Ida", last_name="Ek")
    content_type = ContentType.objects.get_for_model(Person)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            account=biostar.account,
            record_kind="person",
            action="update",
            content_type=content_type,
            object_id=person.pk,
            payload=person_payload(person),
            idempotency_key=f"person:{person.pk}:{n}",
            scheduled_for=timezone.now(),
        )
        for n in range(3)
    )
    claimed = []

    def claim():
        try:
            claimed.append(push.claim_next())
        finally:
            connections.close_all()

    with another_worker_holding(rows[1].pk):  # the middle row
        claimer = threading.Thread(target=claim)
        claimer.start()
        assert wait_for_a_lock_wait()  # the claim waits for the record's rows, not around the lock
        with transaction.atomic():  # and while it waits it holds no row after the one it waits for
            list(OutboxMessage.objects.select_for_update(nowait=True).filter(pk=rows[2].pk))
    claimer.join(30)

    assert claimed[0].pk == rows[2].pk
    statuses = list(OutboxMessage.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["superseded", "superseded", "pending"]


@contextmanager
def another_worker_holding(pk: int):
    """Another worker (a thread, its own connection) holds the outbox row ``pk`` locked in its
    transaction until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update().filter(pk=pk))
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        yield
    finally:
        release.set()
        holder.join(30)


def wait_for_a_lock_wait(seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_batch_claim_leaves_out_a_record_another_worker_holds_and_claims_the_rest(biostar):
    content_type = ContentType.objects.get_for_model(Person)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            account=biostar.account,
            record_kind="person",
            action="update",
            content_type=content_type,
            object_id=Person.objects.create(employee_code=f"7099{n}", last_name=f"P{n}").pk,
            payload={},
            idempotency_key=f"person:batch:{n}",
            scheduled_for=timezone.now(),
        )
        for n in range(3)
    )
    with another_worker_holding(rows[0].pk):
        claimed = push.claim_batch(size=10)  # never waits: the held record is left out

    assert [m.pk for m in claimed] == [rows[1].pk, rows[2].pk]
    first = OutboxMessage.objects.get(pk=rows[0].pk)
    assert (first.status, first.attempts) == ("pending", 0)
    assert [m.pk for m in push.claim_batch(size=10)] == [rows[0].pk]  # free again: claimed
