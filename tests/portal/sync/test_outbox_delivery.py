"""The outbox's own rules, over the BioStar X simulator: who gets a message, how a claim holds a
message, what a superseded message says, and how much one drain does."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.sync import push
from portal.sync.models import ExternalLink, OutboxMessage
from portal.sync.outbox import enqueue_person
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.sync.conftest import demo_simulator, wire


def enqueue(person, action="update"):
    with transaction.atomic():
        return enqueue_person(person, action)


@pytest.mark.django_db(transaction=True)
def test_a_message_must_be_written_in_the_transaction_of_the_change(biostar):
    person = PersonFactory()

    with pytest.raises(
        RuntimeError, match="^enqueue_person must run in the transaction that changed the person$"
    ):
        enqueue_person(person, "update")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_only_enabled_accounts_that_push_and_write_people_get_a_message(biostar, q2):
    VendorAccountFactory(enabled=False)
    VendorAccountFactory(push_enabled=False)
    person = PersonFactory()

    messages = enqueue(person, "create")

    assert [m.account for m in messages] == [biostar.account]
    message = OutboxMessage.objects.get()
    assert (message.record_kind, message.action, message.object_id) == (
        "person",
        "create",
        person.pk,
    )
    assert message.payload["code"] == person.employee_code
    assert message.idempotency_key.startswith(f"person:{person.pk}:")
    assert message.scheduled_for <= timezone.now()


@pytest.mark.django_db
def test_a_claimed_message_counts_a_try_and_is_held_for_the_claim_time(biostar):
    enqueue(PersonFactory(), "create")
    before = timezone.now()

    claimed = push.claim_next()

    stored = OutboxMessage.objects.get()
    assert claimed.pk == stored.pk and stored.attempts == 1
    assert before + push.CLAIM_FOR <= stored.scheduled_for <= timezone.now() + push.CLAIM_FOR
    assert push.claim_next() is None  # held: a second worker finds nothing due


@pytest.mark.django_db
def test_a_message_not_yet_due_is_not_claimed(biostar):
    enqueue(PersonFactory(), "create")
    OutboxMessage.objects.update(scheduled_for=timezone.now() + timedelta(seconds=30))

    assert push.claim_next() is None


@pytest.mark.django_db
def test_superseded_messages_name_the_change_that_replaced_them(biostar):
    person = PersonFactory()
    enqueue(person, "create")  # owed a create, so the edits after it are queued too
    for _ in range(2):
        enqueue(person)

    newest = push.claim_next()

    older = OutboxMessage.objects.exclude(pk=newest.pk)
    assert set(older.values_list("status", flat=True)) == {"superseded"}
    assert set(older.values_list("last_error", flat=True)) == {
        f"Replaced by newer change #{newest.pk}"
    }
    assert newest.pk == OutboxMessage.objects.order_by("-id").first().pk


@pytest.mark.django_db
def test_one_drain_handles_at_most_its_limit(biostar):
    for _ in range(3):
        enqueue(PersonFactory(), "create")

    assert push.drain(transport=biostar.transport, sleep=lambda s: None, limit=2) == 2
    assert OutboxMessage.objects.filter(status="pending").count() == 1


@pytest.mark.django_db
def test_a_delivered_message_records_the_answer_and_when_the_link_was_pushed(biostar):
    person = PersonFactory(employee_code="90051", email="new.hire@example.com")
    enqueue(person, "create")
    before = timezone.now()

    push.drain(transport=biostar.transport, sleep=lambda s: None)

    message = OutboxMessage.objects.get()
    link = ExternalLink.objects.get(account=biostar.account, object_id=person.pk)
    assert message.status == "sent" and message.last_error == ""
    answer = message.vendor_answer
    assert (answer["vendor_id"], answer["created"], answer["active"]) == (
        link.vendor_id,
        True,
        True,
    )
    assert before <= message.sent_at <= timezone.now()
    assert before <= link.last_pushed_at <= timezone.now()


@pytest.mark.django_db
def test_a_refusal_that_names_a_field_says_which_in_the_parked_message(clock):
    biotime = wire("biotime", demo_simulator("biotime", clock))
    enqueue(PersonFactory(employee_code="90052", email="not an address"), "create")

    push.drain(transport=biotime.transport, sleep=lambda s: None)

    message = OutboxMessage.objects.get()
    assert message.status == "failed"
    assert message.last_error.startswith("ValidationError (field email): BioTime: ")
