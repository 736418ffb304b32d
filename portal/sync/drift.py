"""Resolving drift: HR keeps Workgate's value (pushed again) or takes the vendor's (adopted
through the people service, so it reaches every other system too). Never silent; audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.core import audit
from portal.people import services as people_services
from portal.people.models import Person
from portal.sync.models import PersonDrift
from portal.sync.outbox import enqueue_person

#: drift that "take theirs" cannot settle: status changes go through terminate or rehire
NOT_ADOPTABLE = {"status": "Terminate or rehire the person to change their status."}


def can_take_theirs(drift: PersonDrift) -> bool:
    return drift.field in people_services.ADOPTABLE


@transaction.atomic
def keep_ours(drift: PersonDrift, request) -> None:
    person = drift.person
    action = "terminate" if person.status == Person.Status.TERMINATED else "update"
    enqueue_person(person, action, only=drift.account)
    audit.record(
        "drift.kept_ours",
        request=request,
        obj=person,
        before={drift.field: drift.vendor_value, "system": drift.account.name},
        after={drift.field: drift.portal_value},
    )
    drift.delete()  # the push brings the vendor back in line; a later pull re-checks


@transaction.atomic
def take_theirs(drift: PersonDrift, request) -> None:
    if not can_take_theirs(drift):
        raise ValidationError(NOT_ADOPTABLE.get(drift.field, "This field cannot be adopted."))
    people_services.adopt_vendor_value(
        drift.person,
        field=drift.field,
        value=drift.vendor_value,
        source=drift.account.name,
        request=request,
    )
    audit.record(
        "drift.took_theirs",
        request=request,
        obj=drift.person,
        before={drift.field: drift.portal_value},
        after={drift.field: drift.vendor_value, "system": drift.account.name},
    )
    PersonDrift.objects.filter(person=drift.person, field=drift.field).delete()
