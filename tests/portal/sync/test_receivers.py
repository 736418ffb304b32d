"""Sync reacts to people's changes: the outbox row commits with the person, or not at all."""

import pytest
from django.db import transaction
from django.utils import timezone

from portal.people import services, signals
from portal.people.forms import PersonForm
from portal.people.models import Person
from portal.sync.models import ExternalLink, OutboxMessage, UnmatchedPerson
from portal.sync.pull import pull_stream


class Request:
    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def valid_form(code="90020", **fields):
    form = PersonForm({"employee_code": code, "first_name": "Ole", "last_name": "Olsen"} | fields)
    assert form.is_valid(), form.errors
    return form


DRAIN = ("portal.sync.tasks.push_outbox", (), "push")


@pytest.mark.django_db(transaction=True)
def test_outbox_rows_commit_with_the_change_and_roll_back_with_it(biostar, hr, broker):
    person = services.save_person(valid_form(), hr)  # its own transaction, committed
    assert list(OutboxMessage.objects.values_list("action", "object_id")) == [("create", person.pk)]
    assert broker() == [DRAIN]  # the drain is queued once the rows are committed

    with pytest.raises(RuntimeError), transaction.atomic():
        services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
        assert OutboxMessage.objects.filter(action="terminate").exists()  # written in it
        raise RuntimeError("the request failed after the change")
    person.refresh_from_db()
    assert person.status == "active"
    assert not OutboxMessage.objects.filter(action="terminate").exists()
    assert broker() == []

    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    services.rehire_person(person, request=hr)
    actions = list(OutboxMessage.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "terminate", "rehire"]
    assert broker() == [DRAIN, DRAIN]


@pytest.mark.django_db
def test_a_receiver_that_fails_undoes_the_change(biostar, hr):
    def refuse(**kwargs):
        raise RuntimeError("a receiver failed")

    signals.person_changed.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError, match="a receiver failed"):
            services.save_person(valid_form(), hr)
    finally:
        signals.person_changed.disconnect(dispatch_uid="test.refuse")
    assert not Person.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_hr_adding_the_person_a_vendor_record_waited_for_links_them(q2, hr):
    q2.account.import_new_people = False
    q2.account.save()
    run = pull_stream(q2.account.pk, "people", transport=q2.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    waiting = UnmatchedPerson.objects.exclude(code="").first()

    person = services.save_person(valid_form(code=waiting.code), hr)

    link = ExternalLink.objects.get(account=q2.account, object_id=person.pk)
    assert link.vendor_id == waiting.vendor_id
    assert not UnmatchedPerson.objects.filter(pk=waiting.pk).exists()
    assert not OutboxMessage.objects.exists()  # Q2 is read only: nothing to push
