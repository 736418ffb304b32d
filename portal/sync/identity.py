"""Who is who across systems: matching vendor people to local people, and linking them.

Matching is by employee code, then e-mail. A vendor person already linked in this account never
matches a second local person; what matches nobody or several waits for HR in the unmatched queue.
The vendor's own administrator or operator accounts (``PersonRecord.system_account``) are listed
there too, marked, and never linked or created: changing them could lock Workgate out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, IntegerField, Model, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from connectors.records import PersonRecord
from portal.attendance.dirty import mark_dirty, queue_recompute
from portal.attendance.models import Punch
from portal.doors.models import DoorEvent
from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson, VendorAccount
from portal.sync.vendor_text import stored_raw


@dataclass(frozen=True)
class Match:
    person: Person | None
    candidates: tuple[Person, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.person is None and len(self.candidates) > 1


def link_for(account: VendorAccount, model: type[Model], object_id: int) -> ExternalLink | None:
    """The vendor record local ``model`` #``object_id`` is linked to in ``account``, if any."""
    return ExternalLink.objects.filter(
        account=account, content_type=ContentType.objects.get_for_model(model), object_id=object_id
    ).first()


@transaction.atomic
def link_person(
    account: VendorAccount,
    record_vendor_id: str,
    vendor_code: str,
    person: Person,
    content_hash: str = "",
    raw: dict | None = None,
) -> ExternalLink:
    """Link and attach what the vendor recorded for this person before the link existed."""
    link = ExternalLink.objects.create(
        raw=raw or {},
        account=account,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        vendor_id=record_vendor_id,
        vendor_code=vendor_code,
        content_hash=content_hash,
        last_pulled_at=timezone.now(),
    )
    attach_vendor_history(account, [record_vendor_id])
    return link


def attach_vendor_history(account: VendorAccount, vendor_ids: list[str]) -> None:
    """Give punches and door events recorded before these people were linked their person.

    Vendors name a person in punches by id or by code; both are on the link. One UPDATE per
    table however many people, and the unmatched queue forgets them.
    """
    if not vendor_ids:
        return
    waiting_in = [
        (model, key)
        for model, key in ((Punch, "vendor_person_id"), (DoorEvent, "vendor_user_id"))
        # one probe of the person index first: a first pull has nothing waiting anywhere
        if model.objects.filter(account=account, person__isnull=True).exists()
    ]
    if UnmatchedPerson.objects.filter(account=account).exists():
        UnmatchedPerson.objects.filter(account=account, vendor_id__in=vendor_ids).delete()
    if not waiting_in:
        return
    links = ExternalLink.objects.filter(
        account=account,
        content_type=ContentType.objects.get_for_model(Person),
        vendor_id__in=vendor_ids,
    )
    owner: dict[str, int] = {}
    for vendor_id, code, object_id in links.values_list("vendor_id", "vendor_code", "object_id"):
        owner[vendor_id] = object_id
        if code:
            owner.setdefault(code, object_id)
    for model, key in waiting_in:
        waiting = model.objects.filter(
            account=account, person__isnull=True, **{f"{key}__in": list(owner)}
        )
        if waiting.exists():
            ids = list(waiting.values_list("pk", flat=True)) if model is Punch else None
            whens = [When(**{key: k}, then=Value(v)) for k, v in owner.items()]
            waiting.update(person_id=Case(*whens, output_field=IntegerField()))
            if ids:  # the punches now count on their person's cards: the task rebuilds them
                attached = Punch.objects.filter(pk__in=ids).values_list("person_id", "punched_at")
                if mark_dirty(attached):
                    queue_recompute()


def queue_unmatched(account: VendorAccount, record: PersonRecord, match: Match) -> UnmatchedPerson:
    entry, _ = UnmatchedPerson.objects.update_or_create(
        account=account,
        vendor_id=record.vendor_id,
        defaults={
            "code": record.code,
            "first_name": record.first_name,
            "last_name": record.last_name,
            "email": record.email,
            "reason": (
                UnmatchedPerson.Reason.AMBIGUOUS
                if match.ambiguous
                else UnmatchedPerson.Reason.NO_MATCH
                if record.code.strip()
                else UnmatchedPerson.Reason.NO_CODE
            ),
            "raw": stored_raw(record.raw),
            "system_account": record.system_account,
        },
    )
    entry.candidates.set(match.candidates)
    return entry


def rematch_unmatched() -> int:
    """Link queued vendor people that now match exactly one local person; returns how many.

    Runs after every people pull and whenever HR adds someone: the person a vendor record was
    waiting for may have just arrived from another system or from the People page.
    """
    content_type = ContentType.objects.get_for_model(Person)
    linked = 0
    for account in VendorAccount.objects.filter(unmatched__isnull=False).distinct():
        entries = list(UnmatchedPerson.objects.filter(account=account, system_account=False))
        free = Person.objects.exclude(
            pk__in=ExternalLink.objects.filter(account=account, content_type=content_type).values(
                "object_id"
            )
        )
        codes = {e.code.strip() for e in entries if e.code.strip()}
        emails = {e.email.strip().casefold() for e in entries if e.email.strip()}
        by_code = {p.employee_code: p.pk for p in free.filter(employee_code__in=codes)}
        by_email: dict[str, list[int]] = {}
        for pk, email in (
            free.annotate(email_key=Lower("email"))
            .filter(email_key__in=emails)
            .values_list("pk", "email_key")
        ):
            by_email.setdefault(email, []).append(pk)
        claimed: set[int] = set()
        links = []
        for entry in entries:
            person_id = by_code.get(entry.code.strip())
            if person_id is None:
                candidates = by_email.get(entry.email.strip().casefold(), [])
                person_id = candidates[0] if len(candidates) == 1 else None
            if person_id is None or person_id in claimed:
                continue
            claimed.add(person_id)
            links.append(
                ExternalLink(
                    account=account,
                    content_type=content_type,
                    object_id=person_id,
                    vendor_id=entry.vendor_id,
                    vendor_code=entry.code,
                    raw=entry.raw,
                    last_pulled_at=timezone.now(),  # no hash: the next pull checks drift
                )
            )
        ExternalLink.objects.bulk_create(links)
        attach_vendor_history(account, [link.vendor_id for link in links])
        linked += len(links)
    return linked
