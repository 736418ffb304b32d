"""Resolving the unmatched queue: link a vendor record to a person, or create one from it.

The Unmatched page and the API both call ``resolve_unmatched``: audited, and a new person reaches
the other systems through the people service.
"""

from __future__ import annotations

from django.db import transaction

from portal.core import audit
from portal.people import services as people
from portal.people.models import Person
from portal.sync.identity import link_for, link_person
from portal.sync.models import UnmatchedPerson

SYSTEM_ACCOUNT_REFUSAL = (
    "This is {account}'s own administrator or operator account. Workgate never links it to a "
    "person or creates one from it, because changing or disabling it could lock Workgate and "
    "the vendor's operators out. Nothing was changed."
)


class SystemAccountRefused(Exception):
    """The vendor's own administrator account is never linked or turned into a person."""


def refuse_system_account(entry: UnmatchedPerson) -> None:
    if entry.system_account:
        raise SystemAccountRefused(SYSTEM_ACCOUNT_REFUSAL.format(account=entry.account))


@transaction.atomic
def resolve_unmatched(entry: UnmatchedPerson, person: Person | None, *, request) -> Person:
    """Link ``entry`` to ``person``, or to a new person made from it when ``person`` is None.

    Raises ``SystemAccountRefused``, or ``IntegrityError`` when the person is already linked to
    another record of the account or the new person's code is taken (nothing is kept then).
    """
    refuse_system_account(entry)
    if person is None:
        # the people service: audited, and the other systems hear of the new person
        person = people.create_person(
            request=request,
            origin=str(entry.account),
            employee_code=entry.code,
            first_name=entry.first_name,
            last_name=entry.last_name,
            email=entry.email,
        )
    if not linked_already(entry, person):  # a new person may have matched it already
        link_person(entry.account, entry.vendor_id, entry.code, person, raw=entry.raw)
    audit.record(
        "person.linked",
        request=request,
        obj=person,
        after={
            "account": entry.account.name,
            "vendor_id": entry.vendor_id,
            "vendor_code": entry.code,
        },
    )
    return person


def linked_already(entry: UnmatchedPerson, person: Person) -> bool:
    link = link_for(entry.account, Person, person.pk)
    return link is not None and link.vendor_id == entry.vendor_id
