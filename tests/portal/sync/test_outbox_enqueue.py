"""Who hears of a change, exactly: an edit reaches the accounts where this person is linked or
still owed a create, and supersedes only this person's parked messages there."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from portal.people.models import Person, Site
from portal.sync.models import ExternalLink, OutboxMessage, PendingCreate
from portal.sync.outbox import enqueue_person
from tests.factories import PersonFactory
from tests.portal.sync.conftest import demo_simulator, wire


def enqueue(person, action="update"):
    with transaction.atomic():
        return enqueue_person(person, action)


def link(account, obj, vendor_id):
    return ExternalLink.objects.create(
        account=account,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        vendor_id=vendor_id,
    )


def failed_message(account, obj, error="device offline"):
    return OutboxMessage.objects.create(
        account=account,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        idempotency_key=f"old:{account.pk}:{obj._meta.model_name}:{obj.pk}",
        status=OutboxMessage.Status.FAILED,
        scheduled_for="2026-11-18T09:00:00Z",
        last_error=error,
    )


@pytest.fixture
def two_accounts(biostar, clock):
    """Two accounts that take people writes: ``here`` where the person is linked, ``there``
    where other rows happen to share the person's id or account."""
    there = biostar.account
    here = wire("biostar", demo_simulator("biostar", clock), name="second biostar").account
    return here, there


@pytest.fixture
def linked_person(two_accounts):
    here, there = two_accounts
    person, neighbour = PersonFactory(), PersonFactory()
    # links made first push the person's link id past every account id: an account filter that
    # read link ids instead of account ids would then find no account at all
    # (PostgreSQL's sequences are not reset between tests, so keep going until they are past)
    number = 0
    while link(there, PersonFactory(), f"filler-{number}").pk <= max(here.pk, there.pk):
        number += 1
    site = Site.objects.create(pk=person.pk, name="Same id as the person")
    link(there, site, "site-1")  # another kind of record with the person's id
    link(there, neighbour, "neighbour")  # another person in the other account
    person_link = link(here, person, "p-1")
    assert person_link.pk not in {here.pk, there.pk}
    return person, neighbour, site


@pytest.mark.django_db
def test_an_edit_reaches_only_the_accounts_where_this_person_is_linked(two_accounts, linked_person):
    here, _ = two_accounts
    person, _, _ = linked_person

    messages = enqueue(person)

    assert [m.account for m in messages] == [here]
    assert OutboxMessage.objects.get().account == here


@pytest.mark.django_db
def test_an_edit_also_reaches_an_account_still_owed_the_create(two_accounts, linked_person):
    here, there = two_accounts
    person, _, _ = linked_person
    PendingCreate.objects.create(account=there, person=person)

    messages = enqueue(person)

    assert sorted(m.account.pk for m in messages) == sorted([here.pk, there.pk])


@pytest.mark.django_db
def test_a_repeated_create_owes_one_create_per_account(two_accounts):
    person = PersonFactory()

    enqueue(person, "create")
    enqueue(person, "create")

    assert PendingCreate.objects.filter(person=person).count() == 2
    assert OutboxMessage.objects.filter(object_id=person.pk).count() == 4


@pytest.mark.django_db
def test_a_new_change_supersedes_only_this_persons_parked_messages_where_it_goes(
    two_accounts, linked_person
):
    here, there = two_accounts
    person, neighbour, site = linked_person
    answered = failed_message(here, person, "BioStar X refused: device offline")
    others = [
        failed_message(there, person),  # an account the change does not go to
        failed_message(here, neighbour),  # another person
        failed_message(here, site),  # another kind of record with the same id
    ]

    enqueue(person)

    answered.refresh_from_db()
    assert answered.status == OutboxMessage.Status.SUPERSEDED
    assert answered.last_error == (
        "Replaced by a newer change. It had failed with: BioStar X refused: device offline"
    )
    for message in others:
        message.refresh_from_db()
        assert (message.status, message.last_error) == ("failed", "device offline")
    assert ContentType.objects.get_for_model(Person) != ContentType.objects.get_for_model(Site)
