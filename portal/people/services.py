"""HR operations on people. Each change, its audit entry and what receivers of ``person_changed``
write (the sync app's outbox messages) commit together."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from portal.core import audit
from portal.people import signals
from portal.people.models import Person, TeamView

AUDITED = [
    "employee_code",
    "first_name",
    "last_name",
    "email",
    "phone",
    "department",
    "position",
    "manager",
    "user",
    "hire_date",
    "status",
    "termination_date",
    "termination_reason",
]
#: audited but never sent to a vendor: a change of only these pushes nothing
PORTAL_ONLY = {"user"}


def snapshot(person: Person) -> dict:
    values = model_to_dict(person, fields=AUDITED)
    values["sites"] = sorted(site.pk for site in person.sites.all()) if person.pk else []
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def announce(person: Person, action: str, changed: dict) -> None:
    """Tell receivers, still inside the change's transaction, so their writes commit with it."""
    signals.person_changed.send(
        sender=Person, person=person, action=action, changed=tuple(sorted(changed))
    )


@transaction.atomic
def save_person(form, request) -> Person:
    """Create or update from a valid PersonForm."""
    creating = form.instance.pk is None
    before = {} if creating else snapshot(Person.objects.get(pk=form.instance.pk))
    person = form.save()
    after = snapshot(person)
    if creating:
        audit.record("person.created", request=request, obj=person, after=after)
        announce(person, signals.CREATED, after)
        return person
    old, new = audit.changed_values(before, after)
    if old or new:
        audit.record("person.changed", request=request, obj=person, before=old, after=new)
        if (set(old) | set(new)) - PORTAL_ONLY:
            announce(person, signals.UPDATED, new)
    return person


@transaction.atomic
def create_person(*, request, origin: str = "", **fields) -> Person:
    """Create a person from known values (not a form), e.g. from a vendor record HR accepted."""
    person = Person.objects.create(**fields)
    after = snapshot(person)
    audit.record(
        "person.created",
        request=request,
        obj=person,
        after=after | ({"from": origin} if origin else {}),
    )
    announce(person, signals.CREATED, after)
    return person


@transaction.atomic
def terminate_person(person: Person, *, on: date, reason: str, request) -> Person:
    if problem := person.termination_date_problem(on):  # every caller, not only the page's form
        raise ValidationError({"termination_date": problem})
    before = snapshot(person)
    person.status = Person.Status.TERMINATED
    person.termination_date = on
    person.termination_reason = reason
    person.save()
    old, new = audit.changed_values(before, snapshot(person))
    audit.record("person.terminated", request=request, obj=person, before=old, after=new)
    announce(person, signals.TERMINATED, new)
    return person


@transaction.atomic
def rehire_person(person: Person, *, request) -> Person:
    before = snapshot(person)
    person.status = Person.Status.ACTIVE
    person.termination_date = None
    person.termination_reason = ""
    person.save()
    old, new = audit.changed_values(before, snapshot(person))
    audit.record("person.rehired", request=request, obj=person, before=old, after=new)
    announce(person, signals.REHIRED, new)
    return person


def set_team_view(user, *, whole_tree: bool) -> TeamView:
    """Save a manager's choice: their team is direct reports only, or the whole tree below."""
    view, _ = TeamView.objects.update_or_create(user=user, defaults={"whole_tree": whole_tree})
    user._prefers_whole_tree = whole_tree  # what the rest of this request reads
    return view
