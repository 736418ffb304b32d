"""Several workers draining the outbox at once, on PostgreSQL where row locks are real.

Each drainer is a thread with its own database connection, as Celery workers have. A person
edited several times in a row gives the workers many due messages of the same record to fight
over: the claim must never deadlock, send each person once, and send the newest change.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, close_old_connections, connections
from django.utils import timezone

from portal.people.models import Person
from portal.sync import push
from portal.sync.models import OutboxMessage
from portal.sync.outbox import person_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DRAINERS = 8
PEOPLE = 25
EDITS = 4


def edit_people_in_bursts(account) -> dict[str, str]:
    """Each person hired, then renamed EDITS times: their messages are next to each other.

    The rows are those ``enqueue_person`` writes, without its on-commit Celery kick: no broker
    runs in tests, and here every commit is real.
    """
    content_type = ContentType.objects.get_for_model(Person)
    messages, newest = [], {}
    for n in range(PEOPLE):
        code = f"7{n:04d}"
        person = Person.objects.create(employee_code=code, first_name="Hired", last_name=f"P{n}")
        for edit in range(EDITS + 1):
            if edit:
                person.first_name = f"Edit{edit}"
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
