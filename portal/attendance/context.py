"""What the rules need about people, read in bulk: zone, shift, holidays, locked days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from portal.attendance.models import PublicHoliday, ShiftAssignment, ShiftPattern, TimePeriod
from portal.attendance.rules import Rules, Shift
from portal.core.pg_arrays import array_literal
from portal.people.models import Person


def base_rules(time_zone: str) -> Rules:
    conf = settings.ATTENDANCE_RULES
    hh, mm = (int(x) for x in conf.get("day_start", "04:00").split(":"))
    return Rules(
        time_zone=time_zone,
        double_tap_seconds=conf.get("double_tap_seconds", 60),
        same_punch_seconds=conf.get("same_punch_seconds", 5),
        long_shift_minutes=conf.get("long_shift_minutes", 720),
        outside_schedule_minutes=conf.get("outside_schedule_minutes", 60),
        day_start=time(hh, mm),
        direction_modes=dict(conf.get("direction_modes", {})),
    )


def among(ids: list[int]):
    """``ids`` for an ``__in`` filter: on PostgreSQL one array parameter (a list is a placeholder
    per id, each quoted by the driver on its own: a millisecond of CPU a query at 200 ids)."""
    if connection.vendor != "postgresql" or len(ids) < 20:
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", (array_literal(ids),))


def as_shift(pattern: ShiftPattern) -> Shift:
    return Shift(
        start=pattern.start,
        end=pattern.end,
        work_days=frozenset(pattern.work_days),
        break_minutes=pattern.break_minutes,
        break_after_minutes=pattern.break_after_minutes,
        late_grace_minutes=pattern.late_grace_minutes,
        early_grace_minutes=pattern.early_grace_minutes,
        auto_close=pattern.auto_close,
    )


def rules_with(rules: Rules, pattern: ShiftPattern | None) -> Rules:
    if pattern is None:
        return rules
    return replace(
        rules,
        rounding_minutes=pattern.rounding_minutes,
        daily_overtime_after=pattern.daily_overtime_after,
        weekly_overtime_after=pattern.weekly_overtime_after,
    )


class PeopleContext:
    """Zone, shift pattern, holidays and approved periods of a set of people, in five queries."""

    def __init__(self, person_ids, first: date, last: date):
        ids = list(person_ids)
        these = among(ids)
        self.department: dict[int, int | None] = {}
        self.site: dict[int, int] = {}
        self.zone: dict[int, str] = {}
        # people and their sites in one query (a round trip is a third of a millisecond on
        # PostgreSQL, and one person's recompute makes about ten); .order_by(): no default
        # ordering to sort by (a temporary b-tree, ms per call on SQLite)
        for person_id, department_id, site_id, zone in (
            Person.objects.filter(pk__in=these)
            .values_list("pk", "department_id", "sites__id", "sites__time_zone")
            .order_by()
        ):
            self.department[person_id] = department_id
            if site_id is not None:
                self.site.setdefault(person_id, site_id)
                self.zone.setdefault(person_id, zone)
        self.holidays: dict[int, set[date]] = {}
        for site_id, day in (
            PublicHoliday.objects.filter(
                site_id__in=set(self.site.values()), date__range=(first, last)
            )
            .values_list("site_id", "date")
            .order_by()
        ):
            self.holidays.setdefault(site_id, set()).add(day)
        active = Q(valid_from__lte=last) & (Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        self.by_person: dict[int, ShiftPattern] = {}
        self.by_department: dict[int, ShiftPattern] = {}
        departments = {d for d in self.department.values() if d}
        # as tuples, and each pattern made once: a model instance per assignment (two with its
        # shift) was half of this context's CPU
        assignments = list(
            ShiftAssignment.objects.filter(active)
            .filter(Q(person_id__in=these) | Q(department_id__in=departments))
            .order_by("valid_from")  # the latest assignment wins
            .values_list("person_id", "department_id", "shift_id")
        )
        patterns = ShiftPattern.objects.in_bulk({shift for _, _, shift in assignments})
        for person_id, department_id, shift_id in assignments:
            if person_id:
                self.by_person[person_id] = patterns[shift_id]
            else:
                self.by_department[department_id] = patterns[shift_id]
        self.locked: dict[int, list[tuple[date, date]]] = {}
        for person_id, start, end in (
            TimePeriod.objects.filter(
                person_id__in=these,
                status=TimePeriod.Status.APPROVED,
                start__lte=last,
                end__gte=first,
            )
            .values_list("person_id", "start", "end")
            .order_by()
        ):
            self.locked.setdefault(person_id, []).append((start, end))

    def time_zone(self, person_id: int) -> str:
        return self.zone.get(person_id) or settings.TIME_ZONE

    def pattern(self, person_id: int) -> ShiftPattern | None:
        return self.by_person.get(person_id) or self.by_department.get(
            self.department.get(person_id)
        )

    def holidays_of(self, person_id: int) -> frozenset[date]:
        return frozenset(self.holidays.get(self.site.get(person_id), ()))

    def is_locked(self, person_id: int, day: date) -> bool:
        return any(start <= day <= end for start, end in self.locked.get(person_id, ()))
