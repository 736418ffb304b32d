"""Template tags that put an offboarding's per-system progress and plan on the person page."""

from django import template

from portal.people.models import Person
from portal.sync.drift import can_take_theirs
from portal.sync.models import AccessGroup
from portal.sync.offboarding import latest_offboarding, progress_of
from portal.sync.presence import revocation_lines
from portal.sync.templatetags.sync_presence import presence_on_page

register = template.Library()
MISSING = object()


@register.inclusion_tag("sync/offboarding_progress.html", takes_context=True)
def person_offboarding(context, person: Person):
    """Each system's step of the person's latest offboarding: sent, confirmed or failed. A page
    that read it already passes it as ``latest_offboarding``; steps are read only when shown
    (the person is terminated)."""
    offboarding = context.get("latest_offboarding", MISSING)
    if offboarding is MISSING:
        offboarding = latest_offboarding(person)
    shown = offboarding is not None and person.status == Person.Status.TERMINATED
    return {
        "offboarding": offboarding if shown else None,
        "progress": progress_of(offboarding) if shown else None,
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("sync/termination_steps.html")
def termination_steps(person: Person):
    """The confirmation step's list: what exactly happens in each system."""
    return {"lines": revocation_lines(presence_on_page(person))}


@register.filter
def drift_adoptable(drift) -> bool:
    """Whether "take theirs" can settle this drift (a status cannot: terminate or rehire)."""
    return can_take_theirs(drift)


@register.filter
def drift_label(field: str) -> str:
    return {"email": "E-mail", "hire_date": "Hire date"}.get(
        field, field.replace("_", " ").capitalize()
    )


@register.filter
def drift_shown(drift, side: str) -> str:
    """A drift's value on ``side`` ("vendor" or "portal") as a person reads it: access groups
    by name, not id."""
    value = drift.vendor_value if side == "vendor" else drift.portal_value
    if drift.field != "access_groups":
        return value
    ids = [v for v in value.split(",") if v]
    names = dict(
        AccessGroup.objects.filter(account_id=drift.account_id, vendor_id__in=ids).values_list(
            "vendor_id", "name"
        )
    )
    return ", ".join(names.get(v, f"group {v}") for v in ids) or "none"
