"""What sync tells the people directory: the systems people are linked in, and their problems."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery

from portal.core.aggregates import JoinedText
from portal.people import directory
from portal.people.models import Person
from portal.sync import problems
from portal.sync.models import ExternalLink, UnmatchedPerson, VendorAccount


def person_type() -> ContentType:
    return ContentType.objects.get_for_model(Person)  # cached by Django after the first call


class LinkedSystems(directory.Systems):
    def all(self):
        return [directory.System(pk, name) for pk, name in vendor_accounts()]

    def links(self, account_id):
        return ExternalLink.objects.filter(
            account_id=account_id, content_type=person_type(), object_id=OuterRef("pk")
        )

    def names(self):
        return Subquery(
            ExternalLink.objects.filter(content_type=person_type(), object_id=OuterRef("pk"))
            .values("object_id")
            .annotate(names=JoinedText("account__name"))
            .values("names")
        )


def vendor_accounts():
    return VendorAccount.objects.order_by("name").values_list("pk", "name")


# The problems page's definitions, narrowed to one person: a problem there is a badge here.


def failed_pushes():
    return problems.failed_person_messages().filter(object_id=OuterRef("pk"))


def drifts():
    return problems.drifts().filter(person=OuterRef("pk"))


def unmatched_candidacies():
    """Vendor records in the unmatched queue that name this person as a possible match."""
    return UnmatchedPerson.candidates.through.objects.filter(person=OuterRef("pk"))


def access_still_open():
    """Terminated here, still (or again) active in a system."""
    return problems.still_active().filter(person=OuterRef("pk"))


def offboarding_failures():
    return problems.unconfirmed_offboardings().filter(offboarding__person=OuterRef("pk"))


def register() -> None:
    directory.register_systems(LinkedSystems())
    for key, label, rows in (
        ("failed", "A change could not reach a system", failed_pushes),
        ("drift", "Changed in a vendor system (drift)", drifts),
        ("unmatched", "May be an unmatched vendor record", unmatched_candidacies),
        ("still-active", "Terminated, still active in a system", access_still_open),
        ("offboarding", "Offboarding without proof", offboarding_failures),
    ):
        directory.register_problem(key, label, rows, url_name="sync:problems")
