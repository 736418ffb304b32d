"""Which people and timecards a user may see, shared by the timecard pages and the dashboard."""

from datetime import UTC, date, datetime, time
from typing import NamedTuple

from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.attendance.labels import hours, label
from portal.attendance.models import TimeCard
from portal.people.models import Person
from portal.people.selectors import prefers_whole_tree, reports_of


def visible_people(user):
    """HR and administrators (view_all_timecards) see everyone; a manager their direct reports,
    or everyone below them if they chose the whole tree."""
    people = Person.objects.all()
    if user.has_perm("attendance.view_all_timecards"):
        return people
    if prefers_whole_tree(user):
        return reports_of(user, whole_tree=True)
    return people.filter(manager__user=user)


def visible_person(user, person_id) -> Person:
    """The person, if this user may see them; another team's id is a 404 like a missing one."""
    try:
        return visible_people(user).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person in your teams.") from None


def visible_timecards(user):
    cards = TimeCard.objects.select_related("person")
    if user.has_perm("attendance.view_all_timecards"):
        return cards
    return cards.filter(person__in=visible_people(user))


def period_grid(user, span, person_ids=None):
    """Rows for the period grid: one per visible active person, a cell per day. Three queries."""
    from portal.attendance.models import TimePeriod
    from portal.attendance.rules import BLOCKING

    people = visible_people(user).filter(status=Person.Status.ACTIVE)
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    people = list(people.order_by("last_name", "first_name"))
    ids = [p.pk for p in people]
    cards = {
        (c.person_id, c.work_date): c
        for c in map(
            GridCard._make,
            TimeCard.objects.filter(
                person_id__in=ids, work_date__range=(span.start, span.end)
            ).values_list(*GridCard._fields),
        )
    }
    # one read serves both: this span's own decisions, and any approval that locks part of it
    overlapping = list(
        TimePeriod.objects.filter(person_id__in=ids, start__lte=span.end, end__gte=span.start)
    )
    periods = {p.person_id: p for p in overlapping if (p.start, p.end) == (span.start, span.end)}
    locked = {p.person_id for p in overlapping if p.status == TimePeriod.Status.APPROVED}
    rows = []
    query = escape(span.query)
    days = [(day, day.isoformat(), f"{day:%A %-d %B}") for day in span.days]
    for person in people:
        base = escape(reverse("attendance:day", args=[person.pk, "0000-00-00"]))
        name = person.full_name
        cards_of = [cards.get((person.pk, day)) for day in span.days]
        present = [c for c in cards_of if c is not None]
        # safe: _cell_html escapes every value it puts in
        cells = mark_safe(
            "".join(
                _cell_html(name, day, card, base, query)
                for day, card in zip(days, cards_of, strict=True)
            )
        )
        rows.append(
            {
                "person": person,
                "cells": cells,
                "worked": sum(c.worked_minutes for c in present),
                "overtime": sum(c.overtime_minutes + c.weekly_overtime_minutes for c in present),
                "blocking": any(set(c.flags) & BLOCKING for c in present),
                "period": periods.get(person.pk),
                "locked": person.pk in locked,
                "late_arrivals": any(c.arrived_after_approval for c in present),
            }
        )
    return rows


def day_punches(person, day):
    """Every punch of this person's work day, voided and repeated ones too, oldest first."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from portal.attendance.context import PeopleContext, as_shift, base_rules
    from portal.attendance.days import utc_days
    from portal.attendance.models import Punch
    from portal.attendance.rules.workday import work_date

    context = PeopleContext([person.pk], day - timedelta(days=1), day + timedelta(days=1))
    pattern = context.pattern(person.pk)
    shift = as_shift(pattern) if pattern else None
    rules = base_rules(context.time_zone(person.pk))
    zone = ZoneInfo(rules.time_zone)
    since = datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC)
    until = since + timedelta(days=4)
    candidates = (
        Punch.objects.filter(
            day__in=utc_days(since, until),  # the index's days (portal.attendance.days)
            person=person,
            punched_at__gte=since,
            punched_at__lt=until,
        )
        .select_related("account", "created_by", "voided_by", "device", "moved_from")
        .defer("raw")  # the vendor record is not shown here
        .order_by("punched_at", "pk")
    )
    return [p for p in candidates if work_date(p.punched_at, shift, rules, zone) == day], zone


class GridCard(NamedTuple):
    person_id: int
    work_date: date
    worked_minutes: int
    overtime_minutes: int
    weekly_overtime_minutes: int
    flags: list
    arrived_after_approval: bool


def _cell_html(name: str, day: tuple, card, base_url: str, query: str) -> str:
    """One grid cell, written here rather than in a template: a month's page has 1,550.
    ``base_url`` and ``query`` come escaped; ``day`` is (date, iso, spoken)."""
    url = f"{base_url.replace('0000-00-00', day[1])}?{query}"
    if card is None:
        spoken = escape(f"{name}, {day[2]}: no punches")
        shown, badges = '<span class="muted">\u2013</span>', ""
    else:
        flags = [(code, label(code)) for code in card.flags]
        if card.arrived_after_approval:
            flags.append(("late-arrival", "Arrived after approval"))
        shown = hours(card.worked_minutes)
        words = ", ".join([f"{shown} hours", *(text for _, text in flags)])
        spoken = escape(f"{name}, {day[2]}: {words}")
        badges = "".join(
            f'<span class="flag flag-{code}">{escape(text)}</span>' for code, text in flags
        )
    return (
        f'<td class="day-cell"><a class="cell-link" href="{url}" hx-get="{url}" '
        f'hx-target="#day-panel" hx-swap="outerHTML" aria-label="{spoken}">{shown}</a>{badges}</td>'
    )
