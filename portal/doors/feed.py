"""The event feed's filters and keyset pages over (occurred_at, id), newest first.

A page never counts or offsets: it reads the next ``size + 1`` rows after a cursor, so page 1
and page 10,000 cost the same on millions of events. Bad filter values filter nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from portal.core.params import id_param, is_database_id
from portal.devices.models import Device
from portal.doors.models import Door, DoorEvent
from portal.people.models import Person

PAGE_SIZE = 50
#: the kinds the feed filters by (what a desk asks for)
FEED_KINDS = [
    DoorEvent.Kind.GRANTED,
    DoorEvent.Kind.DENIED,
    DoorEvent.Kind.FORCED_OPEN,
    DoorEvent.Kind.HELD_OPEN,
    DoorEvent.Kind.LOCK_OPENED,
    DoorEvent.Kind.ALARM_CLEARED,
    DoorEvent.Kind.STATE_CHANGE,
    DoorEvent.Kind.OTHER,
]


@dataclass(frozen=True)
class Cursor:
    occurred_at: datetime
    id: int

    def __str__(self) -> str:
        return f"{self.occurred_at.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        when, _, pk = (text or "").rpartition("_")
        try:
            moment = parse_datetime(when) if when else None
        except ValueError:  # well formed but impossible, e.g. month 13
            return None
        if moment is None or not (pk == "0" or is_database_id(pk)):
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return cls(moment, int(pk))

    @classmethod
    def of(cls, event: DoorEvent) -> Cursor:
        return cls(event.occurred_at, event.pk)


@dataclass(frozen=True)
class EventFilters:
    site: int | None = None
    door: int | None = None
    person: int | None = None
    kind: str = ""
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""

    @classmethod
    def from_request(cls, request) -> EventFilters:
        kind = request.GET.get("kind", "")
        return cls(
            site=id_param(request, "site"),
            door=id_param(request, "door"),
            person=id_param(request, "person"),
            kind=kind if kind in DoorEvent.Kind.values else "",
            since=_moment(request.GET.get("since", ""), end=False),
            until=_moment(request.GET.get("until", ""), end=True),
            q=request.GET.get("q", "").strip()[:100],
        )

    def apply(self, events: QuerySet) -> QuerySet:
        if self.site:
            events = events.filter(door__site_id=self.site)
        if self.door:
            events = events.filter(door_id=self.door)
        if self.person:
            events = events.filter(person_id=self.person)
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.since:
            events = events.filter(occurred_at__gte=self.since)
        if self.until:
            events = events.filter(occurred_at__lte=self.until)
        if self.q:
            events = events.filter(search(self.q))
        return events

    @property
    def active(self) -> bool:
        return any((self.site, self.door, self.person, self.kind, self.since, self.until, self.q))


#: a word matching more people or doors than this is searched by subquery, not by id list
MAX_SEARCH_IDS = 500


def search(text: str) -> Q:
    """Every word must match a person's name or code, or a door or device name.

    People, doors and devices are small tables: they are searched first and the events filtered
    by those ids, as lists the planner can see is selective, so one person's events come from
    the (person, time) index even among millions. (Free text in vendors' descriptions would
    scan the whole history; the kind filter covers what descriptions say.)"""
    query = Q()
    for word in text.split()[:3]:
        people = (
            Person.objects.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(employee_code__iexact=word)
            )
            .values_list("pk", flat=True)
            .order_by()
        )
        places = Door.objects.filter(name__icontains=word).values_list("pk", flat=True).order_by()
        devices = (
            Device.objects.filter(name__icontains=word).values_list("pk", flat=True).order_by()
        )
        # an empty id list drops its term from the OR: a name alone stays one indexed IN
        query &= (
            Q(person__in=_ids_or_subquery(people))
            | Q(door__in=_ids_or_subquery(places))
            | Q(device__in=_ids_or_subquery(devices))
        )
    return query


def _ids_or_subquery(ids: QuerySet):
    found = list(ids[: MAX_SEARCH_IDS + 1])
    return found if len(found) <= MAX_SEARCH_IDS else ids


def _moment(text: str, *, end: bool) -> datetime | None:
    """A date (the whole day) or a date and time from a filter field; anything else is None."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def older_than(events: QuerySet, cursor: Cursor | None) -> QuerySet:
    if cursor is None:
        return events
    # the plain bound first: it is what lets the index start at the cursor
    return events.filter(occurred_at__lte=cursor.occurred_at).filter(
        Q(occurred_at__lt=cursor.occurred_at) | Q(id__lt=cursor.id)
    )


def newer_than(events: QuerySet, cursor: Cursor) -> QuerySet:
    return events.filter(occurred_at__gte=cursor.occurred_at).filter(
        Q(occurred_at__gt=cursor.occurred_at) | Q(id__gt=cursor.id)
    )


def feed_queryset() -> QuerySet:
    return DoorEvent.objects.select_related("door", "door__site", "device", "person").order_by(
        "-occurred_at", "-id"
    )


@dataclass
class FeedPage:
    events: list[DoorEvent]
    next_cursor: Cursor | None

    @property
    def newest(self) -> Cursor | None:
        return Cursor.of(self.events[0]) if self.events else None


def page_of(events: QuerySet, after: Cursor | None, size: int = PAGE_SIZE) -> FeedPage:
    """``size`` events older than ``after`` (the first page when None) and the next cursor."""
    rows = list(older_than(events, after)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return FeedPage(rows, Cursor.of(rows[-1]) if more and rows else None)
