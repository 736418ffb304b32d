from django import template

from portal.attendance import labels

register = template.Library()


@register.filter
def flag_label(flag: str) -> str:
    return labels.label(flag)


@register.filter
def hours(minutes) -> str:
    return labels.hours(minutes)


@register.filter
def in_zone(moment, zone):
    return moment.astimezone(zone) if moment is not None else None
