"""Template tags that show sync's view of local records on other apps' pages.

The person page places ``{% person_systems person %}``; the people app never imports sync.
"""

from django import template

from portal.sync.presence import presence_of, revocation_plan

register = template.Library()


@register.inclusion_tag("sync/person_systems.html")
def person_systems(person):
    """Where the person stands in each connected system (polls while a change is being sent)."""
    return {"person": person, "systems": presence_of(person)}


@register.inclusion_tag("sync/termination_plan.html")
def termination_plan(person):
    """The sentence above the Terminate button: what a termination does in each system."""
    return {"plan": revocation_plan(presence_of(person))}
