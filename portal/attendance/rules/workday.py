"""Which work day a punch belongs to: the day its shift started, not the date on the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.attendance.rules.types import Rules, Shift


def local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.astimezone(zone)


def shift_bounds(day: date, shift: Shift, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The shift's start and end on ``day`` as aware datetimes (DST-correct via the zone)."""
    start = datetime.combine(day, shift.start, tzinfo=zone)
    end_day = day + timedelta(days=1) if shift.overnight else day
    end = datetime.combine(end_day, shift.end, tzinfo=zone)
    return start, end


def work_date(
    at: datetime, shift: Shift | None, rules: Rules, zone: ZoneInfo, bounds: dict | None = None
) -> date:
    """With a shift: the day whose shift window holds the punch (the nearer one when two do).
    Without: the local date, split at the configured day start. ``bounds``: a cache of
    shift_bounds by day, for many punches of one person."""
    moment = local(at, zone)
    if shift is None:
        return (moment - _since_midnight(rules.day_start)).date()
    window = timedelta(minutes=shift.window_minutes)
    best, best_distance = None, None
    for day in (moment.date() - timedelta(days=1), moment.date()):
        if bounds is None:
            start, end = shift_bounds(day, shift, zone)
        else:
            if day not in bounds:
                bounds[day] = shift_bounds(day, shift, zone)
            start, end = bounds[day]
        if start - window <= moment <= end + window:
            inside = start <= moment <= end
            distance = timedelta(0) if inside else min(abs(moment - start), abs(moment - end))
            if best_distance is None or distance < best_distance:
                best, best_distance = day, distance
    if best is not None:
        return best
    return (moment - _since_midnight(rules.day_start)).date()


def _since_midnight(moment) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)
