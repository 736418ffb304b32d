"""Name vendor systems in page text by what they can do, read from the connector registry.

``{% vendors_that "reads" "doors" last="and" %}`` renders "BioStar X and WorkTime One"; a page
then stays true when a vendor is added or gains a capability.
"""

from django import template

from connectors.registry import vendors
from portal.core.wording import join_names

register = template.Library()


@register.simple_tag
def vendors_that(verb: str, *record_kinds: str, last: str = "or") -> str:
    """Short names of the vendors that can ``verb`` ("reads", "writes", …) any of ``record_kinds``."""
    names = [
        entry.short_label
        for entry in vendors().values()
        if any(entry.can(verb, kind) for kind in record_kinds)
    ]
    return join_names(names, last=last)


@register.simple_tag
def all_vendors(last: str = "or") -> str:
    """Short names of every vendor Workgate connects to."""
    return join_names([entry.short_label for entry in vendors().values()], last=last)
