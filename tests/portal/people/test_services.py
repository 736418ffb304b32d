"""People services announce each change with ``person_changed``, inside the change's transaction."""

import pytest
from django.db import connection
from django.utils import timezone

from portal.people import services, signals
from portal.people.forms import PersonForm
from portal.people.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


class Request:
    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


@pytest.fixture
def heard():
    """What receivers of person_changed hear, and whether the change's transaction was open."""
    calls = []

    def listen(sender, person, action, changed, **kwargs):
        saved = Person.objects.get(pk=person.pk)  # the change is visible to the receiver
        calls.append((action, changed, saved.status, connection.in_atomic_block))

    signals.person_changed.connect(listen, dispatch_uid="test.heard")
    yield calls
    signals.person_changed.disconnect(dispatch_uid="test.heard")


def test_each_change_is_announced_with_its_action_and_changed_fields(hr, heard):
    form = PersonForm({"employee_code": "90010", "first_name": "Ada", "last_name": "Aalto"})
    assert form.is_valid(), form.errors
    person = services.save_person(form, hr)
    created = heard.pop()
    assert created[0] == "created" and {"employee_code", "first_name"} <= set(created[1])

    form = PersonForm(
        {"employee_code": "90010", "first_name": "Ada", "last_name": "Aalto-Berg"},
        instance=person,
    )
    assert form.is_valid(), form.errors
    services.save_person(form, hr)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    services.rehire_person(person, request=hr)
    assert heard == [
        ("updated", ("last_name",), "active", True),
        (
            "terminated",
            ("status", "termination_date", "termination_reason"),
            "terminated",
            True,
        ),
        ("rehired", ("status", "termination_date", "termination_reason"), "active", True),
    ]


def test_a_save_that_changes_nothing_announces_nothing(hr, heard):
    person = PersonFactory()
    form = PersonForm(
        {
            "employee_code": person.employee_code,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "department": person.department_id,
        },
        instance=person,
    )
    assert form.is_valid(), form.errors
    services.save_person(form, hr)
    assert heard == []
