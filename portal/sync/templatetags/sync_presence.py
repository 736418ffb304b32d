"""Template tags that show sync's view of local records on other apps' pages.

The person page places ``{% person_systems person %}`` and ``{% person_vendor_fields person %}``;
the people app never imports sync.
"""

from django import template

from portal.sync.presence import presence_of, revocation_plan, vendor_fields_of
from portal.sync.provisioning import held_groups
from portal.sync.provisioning_forms import provisioning_form

register = template.Library()


def presence_on_page(person):
    """``presence_of`` once per rendered person, however many tags on the page ask for it."""
    cached = getattr(person, "_sync_presence", None)
    if cached is None:
        cached = person._sync_presence = presence_of(person)
    return cached


@register.inclusion_tag("sync/person_systems.html", takes_context=True)
def person_systems(context, person):
    """Where the person stands in each connected system (polls while a change is being sent),
    with buttons for drift and for access still open after a termination."""
    return {
        "person": person,
        "systems": presence_on_page(person),
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("sync/termination_plan.html")
def termination_plan(person):
    """The sentence above the Terminate button: what a termination does in each system."""
    return {"plan": revocation_plan(presence_on_page(person))}


@register.inclusion_tag("sync/person_vendor_fields.html")
def person_vendor_fields(person):
    """What each linked system holds about the person beyond Workgate's fields ("Passport No")."""
    return {"systems": vendor_fields_of(presence_on_page(person))}


@register.inclusion_tag("sync/person_provisioning_form.html", takes_context=True)
def person_provisioning(context, person):
    """Per system: follow the rules / always / never, and the person's own access groups."""
    systems = presence_on_page(person)
    decisions = [s.decision for s in systems if s.decision is not None]
    groups = [g for s in systems if s.decision is not None for g in held_groups(s.account)]
    return {
        "person": person,
        "form": provisioning_form(person, decisions=decisions, groups=groups)
        if decisions
        else None,
        "csrf_token": context.get("csrf_token"),
    }
