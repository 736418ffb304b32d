"""Resolving drift: HR keeps Workgate's value (pushed again) or takes the vendor's (adopted
through the people service, so it reaches every other system too). Never silent; audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.core import audit
from portal.people import services as people_services
from portal.people.models import Person
from portal.sync.models import AccessGroup, PersonAccessGroups, PersonDrift
from portal.sync.outbox import enqueue_person

#: drift that "take theirs" cannot settle: status changes go through terminate or rehire
NOT_ADOPTABLE = {"status": "Terminate or rehire the person to change their status."}


def can_take_theirs(drift: PersonDrift) -> bool:
    return drift.field in people_services.ADOPTABLE or drift.field == "access_groups"


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
    if drift.field == "access_groups":
        take_their_access_groups(drift, request)
        return
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


def take_their_access_groups(drift: PersonDrift, request) -> None:
    """The vendor's access groups become HR's choice for the person there (the rules' groups
    stay granted on top), and the result is pushed to that system."""
    theirs = [v for v in drift.vendor_value.split(",") if v]
    groups = AccessGroup.objects.filter(account=drift.account, vendor_id__in=theirs)
    choice, _ = PersonAccessGroups.objects.get_or_create(person=drift.person, account=drift.account)
    choice.groups.set(groups)
    enqueue_person(drift.person, "update", only=drift.account)
    audit.record(
        "drift.took_theirs",
        request=request,
        obj=drift.person,
        before={"access_groups": drift.portal_value},
        after={"access_groups": drift.vendor_value, "system": drift.account.name},
    )
    drift.delete()
