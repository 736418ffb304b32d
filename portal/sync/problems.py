"""What HR must look at, in one list: changes that could not be sent, drift, unmatched records.

Each kind is a ``Section``: a title, a sentence on what to do, a count, its first rows and the
template that shows them. Another kind (offboardings whose proof has not come back) is one more
``Section`` appended to ``SECTIONS``; the page, the dashboard's counts and the anchors follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value

from portal.people.models import Person
from portal.sync.models import (
    AccessProblem,
    OffboardingStep,
    OutboxMessage,
    PersonDrift,
    UnmatchedPerson,
)

#: rows each section shows; the rest are counted and reached through the linked page
SHOWN = 100


@dataclass(frozen=True)
class Section:
    key: str  # the anchor on the problems page: /sync/problems/#failed
    title: str
    advice: str
    template: str
    rows: Callable[[], QuerySet]

    def count(self) -> int:
        return self.rows().count()


def failed_person_messages() -> QuerySet:
    return (
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.FAILED,
            content_type=ContentType.objects.get_for_model(Person),
        )
        .select_related("account")
        .order_by("-created_at", "-id")
    )


def drifts() -> QuerySet:
    return PersonDrift.objects.select_related("person", "account").order_by("-detected_at", "-id")


def unconfirmed_offboardings() -> QuerySet:
    """Offboarding steps whose push failed: access may still be open in that system."""
    return (
        OffboardingStep.objects.filter(status=OffboardingStep.Status.FAILED)
        .select_related("offboarding__person", "account")
        .order_by("-created_at", "-id")
    )


def still_active() -> QuerySet:
    return (
        AccessProblem.objects.filter(resolved_at__isnull=True)
        .select_related("person", "account")
        .order_by("-detected_at", "-id")
    )


def unmatched() -> QuerySet:
    return (
        UnmatchedPerson.objects.filter(system_account=False)
        .select_related("account")
        .order_by("account__name", "last_name", "first_name")
    )


SECTIONS: list[Section] = [
    Section(
        "still-active",
        "Terminated here, still active in a system",
        "Someone re-enabled them in the vendor's console, or the termination never took. "
        "Open the person and disable them again.",
        "sync/problems/still_active.html",
        still_active,
    ),
    Section(
        "offboarding",
        "Offboardings without proof",
        "A termination could not be carried out in a system, so access may still be open there. "
        "Open the offboarding, read the system's answer and retry.",
        "sync/problems/offboarding.html",
        unconfirmed_offboardings,
    ),
    Section(
        "failed",
        "Changes that could not reach a system",
        "Workgate tried several times and gave up. Read the system's answer, fix the cause "
        "(often a field the system refuses, or the account's permissions), then retry.",
        "sync/problems/failed.html",
        failed_person_messages,
    ),
    Section(
        "drift",
        "Changed in a vendor system (drift)",
        "Someone changed a field Workgate owns directly in the vendor system. Open the person "
        "to keep Workgate's value or take the system's.",
        "sync/problems/drift.html",
        drifts,
    ),
    Section(
        "unmatched",
        "People in a system that match nobody",
        "Their punches and door events wait until they are linked. Link each to the right "
        "person, or create them as new.",
        "sync/problems/unmatched.html",
        unmatched,
    ),
]


def count_of(rows: QuerySet) -> Subquery:
    """``(SELECT COUNT(*) …)`` of these rows, to read several counts in one query."""
    counted = rows.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*"))
    return Subquery(counted.values("n"), output_field=IntegerField())


def counts() -> dict[str, int]:
    """Every section's count in one query (the dashboard shows them on each visit)."""
    one_row = ContentType.objects.filter(pk=ContentType.objects.get_for_model(Person).pk)
    found = one_row.annotate(**{s.key: count_of(s.rows()) for s in SECTIONS})
    return found.values(*(s.key for s in SECTIONS)).get()


def person_names(messages) -> dict[int, Person]:
    """The people failed messages are about, in one query (messages hold only their id)."""
    ids = {m.object_id for m in messages}
    return Person.objects.in_bulk(ids)
