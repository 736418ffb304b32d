"""How a worker claims and settles outbox messages, over the BioStar X simulator: which message
comes first, what a claim touches, what a parked message says, what a late change finds."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.people.models import Person, Site
from portal.sync import push
from portal.sync.models import ExternalLink, OutboxMessage, PendingCreate
from portal.sync.outbox import enqueue_person
from tests.factories import PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db


def enqueue(person, action="create"):
    with transaction.atomic():
        return enqueue_person(person, action)[0]


def drain(wired):
    return push.drain(transport=wired.transport, sleep=lambda s: None)


def test_the_message_due_first_is_claimed_first_whatever_its_id(biostar):
    later, sooner = enqueue(PersonFactory()), enqueue(PersonFactory())
    OutboxMessage.objects.filter(pk=later.pk).update(
        scheduled_for=timezone.now() - timedelta(seconds=5)
    )
    OutboxMessage.objects.filter(pk=sooner.pk).update(
        scheduled_for=timezone.now() - timedelta(seconds=50)
    )

    assert push.claim_next().pk == sooner.pk
    assert push.claim_next().pk == later.pk


def test_a_claim_leaves_other_kinds_of_record_with_the_same_id_alone(biostar):
    person = PersonFactory()
    site = Site.objects.create(pk=person.pk, name="Shares the person's id")
    other_kind = OutboxMessage.objects.create(
        account=biostar.account,
        record_kind="site",
        action="update",
        content_type=ContentType.objects.get_for_model(Site),
        object_id=site.pk,
        idempotency_key="site:1",
        scheduled_for=timezone.now() - timedelta(minutes=1),
    )
    mine = enqueue(person)

    claimed = push.claim_next()

    assert claimed.pk == other_kind.pk
    mine.refresh_from_db()
    assert (mine.status, mine.attempts) == ("pending", 0)


def test_an_uncontended_claim_is_one_short_transaction(biostar):
    """Due row, the record's ids, its rows locked, older superseded, the newest claimed: five
    statements in one transaction. The wait-for-locks path (a second transaction) is for
    contention only; taking it every time would double the claim's cost."""
    person = PersonFactory()
    enqueue(person)
    enqueue(person, "update")

    with CaptureQueriesContext(connection) as queries:
        claimed = push.claim_next()

    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert claimed.action == "update"
    assert len(statements) == 5, statements
    assert len(savepoints) == 1


def test_a_message_due_this_very_moment_is_claimed(biostar):
    message = enqueue(PersonFactory())

    claimed = push._claim_newest([message], now=message.scheduled_for)

    assert claimed is message and message.attempts == 1
    assert message.scheduled_for > timezone.now() + push.CLAIM_FOR - timedelta(seconds=5)


def test_a_429_without_retry_after_waits_one_minute_and_is_not_a_failed_try(biostar):
    enqueue(PersonFactory())
    biostar.simulator.faults.error_burst = 10_000
    biostar.simulator.faults.error_status = 429
    before = timezone.now()

    drain(biostar)

    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 0)
    assert before + timedelta(seconds=60) <= message.scheduled_for
    assert message.scheduled_for <= timezone.now() + timedelta(seconds=60)


def test_a_retryable_failure_is_described_by_its_kind_and_the_vendors_words(biostar):
    enqueue(PersonFactory())
    biostar.simulator.faults.error_burst = 10_000

    drain(biostar)

    message = OutboxMessage.objects.get()
    kind, _, words = message.last_error.partition(": ")
    assert kind == "TransientError"  # no field named: nothing in brackets
    assert words and "field" not in kind


def test_a_change_to_a_person_deleted_meanwhile_is_parked_saying_so(biostar):
    person = PersonFactory()
    enqueue(person)
    person_id = person.pk
    Person.objects.filter(pk=person_id).delete()

    drain(biostar)

    message = OutboxMessage.objects.get()
    assert message.status == "failed"
    assert message.last_error == (
        f"NotFoundError: Person #{person_id} no longer exists in Workgate: there is nothing to send."
    )


def test_an_edit_whose_link_was_removed_meanwhile_creates_nothing(biostar):
    person = PersonFactory(employee_code="93001")
    ExternalLink.objects.create(
        account=biostar.account,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        vendor_id="gone",
    )
    enqueue(person, "update")
    ExternalLink.objects.all().delete()  # an administrator undid a wrong match

    drain(biostar)

    message = OutboxMessage.objects.get()
    assert message.status == "sent" and message.vendor_answer["linked"] is False
    assert not [p for m, p in biostar.simulator.request_log if m == "POST" and p == "/api/users"]


def test_create_messages_queued_before_owed_creates_existed_still_create(biostar):
    migration = importlib.import_module(
        "portal.sync.migrations.0016_owe_creates_queued_before_pending_creates"
    )
    waiting, linked, orphan = (PersonFactory(employee_code=f"9400{n}") for n in range(3))
    for person in (waiting, linked, orphan):
        enqueue(person)
    ExternalLink.objects.create(
        account=biostar.account,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=linked.pk,
        vendor_id="7",
    )
    PendingCreate.objects.all().delete()  # as before 0015
    Person.objects.filter(pk=orphan.pk).delete()

    migration.owe_queued_creates(apps, None)

    owed = PendingCreate.objects.values_list("account_id", "person_id")
    assert list(owed) == [(biostar.account.pk, waiting.pk)]
    drain(biostar)
    created = [p for m, p in biostar.simulator.request_log if m == "POST" and p == "/api/users"]
    assert len(created) == 1


def test_a_batch_claim_takes_each_due_records_newest_in_one_short_transaction(biostar):
    """However many records, the batch claim is the same five statements as a single claim."""
    people = PersonFactory.create_batch(4)
    for person in people:
        enqueue(person)
        enqueue(person, "update")

    with CaptureQueriesContext(connection) as queries:
        claimed = push.claim_batch(size=10)

    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 5, statements
    assert sorted(m.object_id for m in claimed) == sorted(p.pk for p in people)
    assert {m.action for m in claimed} == {"update"} and {m.attempts for m in claimed} == {1}
    stored = OutboxMessage.objects.order_by("id")
    assert [m.status for m in stored] == ["superseded", "pending"] * 4
    assert [m.attempts for m in stored if m.status == "pending"] == [1] * 4
    assert push.claim_batch(size=10) == []  # claimed: not due again until the claim lapses


def test_a_batch_claim_of_one_account_leaves_the_others_messages_alone(biostar):
    person = PersonFactory()
    mine = enqueue(person)
    other = VendorAccountFactory()
    theirs = OutboxMessage.objects.create(
        account=other,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        idempotency_key="person:other",
        scheduled_for=timezone.now() - timedelta(minutes=1),
    )

    claimed = push.claim_batch(account_id=biostar.account.pk)

    assert [m.pk for m in claimed] == [mine.pk]
    theirs.refresh_from_db()
    assert (theirs.status, theirs.attempts) == ("pending", 0)


def test_a_rate_limited_account_gets_the_rest_of_its_batch_back_untried(biostar):
    first, second = enqueue(PersonFactory()), enqueue(PersonFactory())
    biostar.simulator.faults.error_burst = 10_000
    biostar.simulator.faults.error_status = 429

    drain(biostar)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, second.status, second.attempts) == (
        "pending",
        0,
        "pending",
        0,
    )
    assert first.last_error.startswith("RateLimitError") and second.last_error == ""
    assert second.scheduled_for == first.scheduled_for  # waits for the vendor's reset too


def test_the_kick_queues_one_drain_per_account_with_due_messages(
    biostar, broker, django_capture_on_commit_callbacks
):
    enqueue(PersonFactory())
    quiet, paused = VendorAccountFactory(), VendorAccountFactory(paused_at=timezone.now())
    OutboxMessage.objects.create(
        account=paused,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=1,
        idempotency_key="person:paused",
        scheduled_for=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):  # a task's commit, as in a worker
        queued = push.fan_out()

    assert queued == [biostar.account.pk] and quiet.pk not in queued
    assert broker() == [("portal.sync.tasks.push_account", (biostar.account.pk,), "push")]
