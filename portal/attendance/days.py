"""Reading one person's punches by the index they are kept in: (day, person, punched_at).

``Punch.day`` is the punch's UTC date. A reader names the days it wants, as a list: the index is
then one short seek per (day, person), where a day *range* with a person would walk every punch
of every day in it (neither SQLite nor PostgreSQL 15 skips through the leading column).

A reader of a time range gives :func:`utc_days` of it beside the range itself. A reader of a
person's punches over all time, newest first (the API's punch list), walks back through the
days in windows that grow, from the newest day stored to the oldest (both ends of the index, one
seek each): a person with no punch for a year costs a few seeks per day, never a table scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from django.db.models import Max, Min

#: the first window's days; each next window doubles, up to the last
FIRST_WINDOW = 8
LAST_WINDOW = 512


def utc_days(since: datetime, until: datetime) -> list[date]:
    """The UTC dates of instants in [since, until), oldest first."""
    first = since.astimezone(UTC).date()
    last = (until - timedelta(microseconds=1)).astimezone(UTC).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def stored_days() -> tuple[date, date] | None:
    """The oldest and newest punch days stored (the index's two ends), or None with no punch."""
    from portal.attendance.models import Punch

    # two statements: SQLite reads one end of an index for a lone MIN() or MAX(), and scans the
    # table for both in one
    first = Punch.objects.order_by().aggregate(day=Min("day"))["day"]
    if first is None:
        return None
    return first, Punch.objects.order_by().aggregate(day=Max("day"))["day"]


def day_windows(newest: date, oldest: date) -> Iterator[list[date]]:
    """Lists of days from ``newest`` back to ``oldest``, newest first, each window longer."""
    size, day = FIRST_WINDOW, newest
    while day >= oldest:
        stop = max(oldest, day - timedelta(days=size - 1))
        yield [day - timedelta(days=n) for n in range((day - stop).days + 1)]
        day = stop - timedelta(days=1)
        size = min(size * 2, LAST_WINDOW)


def newest_first(rows, limit: int, before: datetime | None = None) -> list:
    """Up to ``limit`` of ``rows`` (a queryset of punches filtered to a few people, ordered
    newest first by punched_at then id) read window by window of days, newest day first: the
    same rows in the same order as ``rows[:limit]``. ``before``: the page's cursor instant, the
    last day to read (rows already carry the cursor's condition)."""
    ends = stored_days()
    if ends is None or limit <= 0:
        return []
    oldest, newest = ends
    # the newest stored day bounds the walk even with a cursor: a cursor made up far in the
    # future would otherwise walk window after empty window towards it
    if before is not None:
        newest = min(newest, before.astimezone(UTC).date())
    found: list = []
    for days in day_windows(newest, oldest):
        found += rows.filter(day__in=days)[: limit - len(found)]
        if len(found) >= limit:
            break
    return found
