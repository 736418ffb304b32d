"""People terminated in Workgate whom a vendor still (or again) lists as active.

Raised from a people pull (the mirror sees the vendor's record) and by a daily check that reads
each terminated person's record in every system holding them. "Disable again" pushes the
termination again; the push's read-back resolves the problem once access is gone.
"""

from __future__ import annotations

import logging
import time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from connectors import errors
from connectors.records import PersonRecord
from portal.core import audit
from portal.people.models import Person
from portal.sync.connectors import kept_connector
from portal.sync.models import AccessProblem, ExternalLink, VendorAccount
from portal.sync.outbox import enqueue_person

log = logging.getLogger(__name__)


def still_active_after_termination():
    """Open problems, newest first: what the HR problems page lists."""
    return (
        AccessProblem.objects.filter(resolved_at__isnull=True)
        .select_related("person", "account")
        .order_by("-detected_at")
    )


def seen_fields(account: VendorAccount, record: PersonRecord) -> dict:
    return {
        "active": record.active,
        "fields": {
            name: record.raw[name]
            for name in account.vendor.access_proof_fields
            if name in (record.raw or {})
        },
        "read_at": timezone.now().isoformat(),
    }


def raise_problem(account: VendorAccount, person: Person, record: PersonRecord) -> AccessProblem:
    """Idempotent: one open problem per person and system, its sighting refreshed."""
    problem = AccessProblem.objects.filter(
        account=account, person=person, resolved_at__isnull=True
    ).first()
    if problem is None:
        problem = AccessProblem.objects.create(
            account=account,
            person=person,
            vendor_id=record.vendor_id,
            seen=seen_fields(account, record),
        )
        audit.record(
            "access.still_active",
            obj=person,
            after={"system": account.name, "vendor_id": record.vendor_id},
        )
    else:
        problem.seen = seen_fields(account, record)
        problem.save(update_fields=["seen", "last_seen_at"])
    return problem


def note_pulled(account: VendorAccount, pairs) -> int:
    """From a people pull: terminated people whose vendor record is active."""
    raised = 0
    for person, record in pairs:
        if person.status == Person.Status.TERMINATED and record.active:
            raise_problem(account, person, record)
            raised += 1
    return raised


def check_terminated_access(*, transport_for=lambda account: None, sleep=time.sleep) -> int:
    """The daily check: read back every terminated person's record in each system holding them."""
    content_type = ContentType.objects.get_for_model(Person)
    terminated = Person.objects.filter(status=Person.Status.TERMINATED)
    raised = 0
    for account in VendorAccount.objects.filter(enabled=True, paused_at__isnull=True):
        if "people" not in account.vendor.capabilities.writes:
            continue  # Workgate does not terminate there, so it cannot be un-terminated there
        links = ExternalLink.objects.filter(
            account=account,
            content_type=content_type,
            object_id__in=terminated.values("pk"),
            gone_at__isnull=True,
        )
        people = terminated.in_bulk([link.object_id for link in links])
        if not people:
            continue
        try:
            with kept_connector(
                account, transport=transport_for(account), sleep=sleep
            ) as connector:
                for link in links:
                    record = connector.get_person(link.vendor_id)
                    person = people[link.object_id]
                    if record is not None and record.active:
                        raise_problem(account, person, record)
                        raised += 1
                    else:
                        AccessProblem.objects.filter(
                            account=account, person=person, resolved_at__isnull=True
                        ).update(
                            resolved_at=timezone.now(),
                            resolution="Read back as gone by the daily check.",
                        )
        except errors.ConnectorError as exc:  # one system down must not hide the others
            log.warning("terminated-access check of %s failed: %s", account, exc)
    return raised


@transaction.atomic
def disable_again(problem: AccessProblem, request) -> None:
    """Push the termination to that system again; its read-back resolves the problem."""
    enqueue_person(problem.person, "terminate", only=problem.account)
    audit.record(
        "access.disabled_again",
        request=request,
        obj=problem.person,
        after={"system": problem.account.name, "vendor_id": problem.vendor_id},
    )


def resolve_on_rehire(person: Person) -> None:
    AccessProblem.objects.filter(person=person, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution="Rehired: access is wanted again."
    )
