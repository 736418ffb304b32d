"""Who is who across systems: matching vendor people to local people, and linking them.

Matching is by employee code, then e-mail. A vendor person already linked in this account never
matches a second local person; what matches nobody or several waits for HR in the unmatched queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from connectors.records import PersonRecord
from portal.attendance.models import Punch
from portal.doors.models import DoorEvent
from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson, VendorAccount


@dataclass(frozen=True)
class Match:
    person: Person | None
    candidates: tuple[Person, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.person is None and len(self.candidates) > 1


def match_person(account: VendorAccount, record: PersonRecord) -> Match:
    linked_here = ExternalLink.objects.filter(
        account=account, content_type=ContentType.objects.get_for_model(Person)
    ).values("object_id")
    free = Person.objects.exclude(pk__in=linked_here)
    for lookup, value in (("employee_code", record.code.strip()), ("email__iexact", record.email.strip())):
        if not value:
            continue
        found = list(free.filter(**{lookup: value})[:5])
        if len(found) == 1:
            return Match(found[0])
        if len(found) > 1:
            return Match(None, tuple(found))
    return Match(None)


@transaction.atomic
def link_person(account: VendorAccount, record_vendor_id: str, vendor_code: str, person: Person,
                content_hash: str = "") -> ExternalLink:
    """Link and attach what the vendor recorded for this person before the link existed."""
    link = ExternalLink.objects.create(
        account=account, content_type=ContentType.objects.get_for_model(Person), object_id=person.pk,
        vendor_id=record_vendor_id, vendor_code=vendor_code, content_hash=content_hash,
        last_pulled_at=timezone.now(),
    )
    keys = {k for k in (record_vendor_id, vendor_code) if k}
    Punch.objects.filter(account=account, person__isnull=True, vendor_person_id__in=keys).update(person=person)
    DoorEvent.objects.filter(account=account, person__isnull=True, vendor_user_id__in=keys).update(person=person)
    UnmatchedPerson.objects.filter(account=account, vendor_id=record_vendor_id).delete()
    return link


def queue_unmatched(account: VendorAccount, record: PersonRecord, match: Match) -> UnmatchedPerson:
    entry, _ = UnmatchedPerson.objects.update_or_create(
        account=account, vendor_id=record.vendor_id,
        defaults={
            "code": record.code, "first_name": record.first_name, "last_name": record.last_name,
            "email": record.email,
            "reason": (
                UnmatchedPerson.Reason.AMBIGUOUS if match.ambiguous
                else UnmatchedPerson.Reason.NO_MATCH if record.code.strip()
                else UnmatchedPerson.Reason.NO_CODE
            ),
            "raw": dict(record.raw),
        },
    )
    entry.candidates.set(match.candidates)
    return entry
