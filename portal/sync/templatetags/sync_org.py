"""Template tags that put each system's copy of a department, position or site on its list.

The people app's page loads these; people never imports sync."""

from django import template

from portal.sync.org_states import org_states

register = template.Library()


@register.simple_tag
def org_system_states(kind: str, rows):
    """Object id → its states in every system that models ``kind`` (three queries in all)."""
    return org_states(kind, rows)


@register.inclusion_tag("sync/org_systems.html", takes_context=True)
def org_systems(context, kind: str, states: dict, obj):
    return {
        "kind": kind,
        "states": states.get(obj.pk, []),
        "obj": obj,
        "csrf_token": context.get("csrf_token"),
    }
