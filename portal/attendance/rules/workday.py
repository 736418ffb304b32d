"""Which work day a punch belongs to: the day its shift started, not the date on the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.attendance.rules.types import Rules, Shift

ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)


def local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.astimezone(zone)


def shift_bounds(day: date, shift: Shift, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The shift's start and end on ``day`` as aware datetimes (DST-correct via the zone)."""
    start = datetime.combine(day, shift.start, tzinfo=zone)
    end_day = day + ONE_DAY if shift.overnight else day
    end = datetime.combine(end_day, shift.end, tzinfo=zone)
    return start, end


def work_date(at: datetime, shift: Shift | None, rules: Rules, zone: ZoneInfo) -> date:
    """With a shift: the day whose shift window holds the punch (the nearer one when two do).
    Without: the local date, split at the configured day start. Many punches of one person
    go through one ``WorkDays``."""
    return WorkDays(shift, rules, zone)(at)


class WorkDays:
    """``work_date`` for many punches of one person: each day's shift window is computed once
    (a full build asks a million times, for a few hundred distinct days per person)."""

    def __init__(self, shift: Shift | None, rules: Rules, zone: ZoneInfo):
        self.shift = shift
        self.zone = zone
        self.split = _since_midnight(rules.day_start)
        self.window = timedelta(minutes=shift.window_minutes) if shift is not None else None
        self._bounds: dict[date, tuple[datetime, datetime]] = {}
        # local date -> the two candidate days (the day before, the day) with their windows
        self._candidates: dict[date, tuple] = {}

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        found = self._bounds.get(day)
        if found is None:
            found = self._bounds[day] = shift_bounds(day, self.shift, self.zone)
        return found

    def __call__(self, at: datetime) -> date:
        moment = at.astimezone(self.zone)
        if self.shift is None:
            return (moment - self.split).date()
        today = moment.date()
        candidates = self._candidates.get(today)
        if candidates is None:
            candidates = self._candidates[today] = tuple(
                (day, *self._window(day)) for day in (today - ONE_DAY, today)
            )
        best, best_distance = None, None
        for day, opens, start, end, closes in candidates:
            if opens <= moment <= closes:
                if start <= moment <= end:
                    distance = ZERO
                else:
                    distance = min(abs(moment - start), abs(moment - end))
                if best_distance is None or distance < best_distance:
                    best, best_distance = day, distance
        if best is not None:
            return best
        return (moment - self.split).date()

    def _window(self, day: date) -> tuple[datetime, datetime, datetime, datetime]:
        start, end = self.bounds(day)
        return start - self.window, start, end, end + self.window


def _since_midnight(moment) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)
