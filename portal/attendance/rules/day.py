"""build_day: one person's work day from their punches, shift and rules. A pure function."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.attendance.rules.dedupe import collapse
from portal.attendance.rules.overtime import daily_overtime
from portal.attendance.rules.pairing import pair
from portal.attendance.rules.rounding import minutes_between, round_time
from portal.attendance.rules.types import DayCard, RawPunch, Rules, Shift
from portal.attendance.rules.workday import WorkDays, shift_bounds


def build_days(
    punches: list[RawPunch],
    shift: Shift | None,
    rules: Rules,
    days: list[date],
    *,
    holidays: frozenset[date] = frozenset(),
    now: datetime | None = None,
    work_days: WorkDays | None = None,
) -> dict[date, DayCard]:
    """Cards for ``days``: punches are collapsed once, then each goes to its work day.

    ``work_days``: a ``WorkDays`` of this shift, rules and zone to reuse (people who share them
    share its day windows, computed once)."""
    zone = ZoneInfo(rules.time_zone)
    counted, repeats = collapse(punches, rules)
    if work_days is None:
        work_days = WorkDays(shift, rules, zone)
    by_day: dict[date, list[RawPunch]] = {}
    for punch in counted:
        day = work_days(punch.at)
        if day in by_day:
            by_day[day].append(punch)
        else:
            by_day[day] = [punch]
    cards = {}
    for day in days:
        if day not in by_day:  # most days of a week rebuilt for one punch: no call to build_day
            cards[day] = _without_punches(day, shift, day in holidays, now, work_days.bounds)
            continue
        card = build_day(
            day,
            by_day.get(day, []),
            shift,
            rules,
            holiday=day in holidays,
            now=now,
            zone=zone,
            bounds=work_days.bounds(day) if shift is not None else None,
        )
        if repeats:
            ids = set(card.counted)
            card.duplicates = {dup: kept for dup, kept in repeats.items() if kept in ids}
        cards[day] = card
    return cards


def build_day(
    day: date,
    punches: list[RawPunch],
    shift: Shift | None,
    rules: Rules,
    *,
    holiday: bool = False,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
    bounds: tuple[datetime, datetime] | None = None,
) -> DayCard:
    """``punches``: the counted (already collapsed) punches of this work day, in time order.
    ``bounds``: the
    shift's start and end that day, when the caller has them already."""
    card = DayCard(work_date=day, counted=[p.id for p in punches])
    if shift is not None and bounds is None:
        bounds = shift_bounds(day, shift, zone or ZoneInfo(rules.time_zone))
    if not punches:
        return _without_punches(day, shift, holiday, now, lambda _: bounds)
    scheduled = shift is not None and day.weekday() in shift.work_days and not holiday
    pairs = pair(punches, rules)
    if _auto_closes(shift, pairs, bounds, now):
        pairs[-1] = (pairs[-1][0], bounds[1])
        card.exceptions.append("auto_closed")
    card.pairs = pairs
    starts = [start for start, _ in pairs if start is not None]
    ends = [end for _, end in pairs if end is not None]
    if len(starts) < len(pairs):
        card.exceptions.append("missing_in")
    if len(ends) < len(pairs):
        card.exceptions.append("missing_out")
    card.first_in = starts[0] if starts else None
    card.last_out = ends[-1] if ends else None
    _add_times(card, pairs, shift, rules)
    if shift is not None:
        _compare_with_shift(card, punches, bounds, shift, rules, scheduled)
    return card


def _without_punches(day, shift: Shift | None, holiday: bool, now, bounds_of) -> DayCard:
    """A day nobody punched: absent once a shift due that day has ended. ``bounds_of(day)``: the
    shift's start and end that day."""
    card = DayCard(work_date=day)
    if shift is None or holiday or now is None or day.weekday() not in shift.work_days:
        return card
    if bounds_of(day)[1] < now:
        card.exceptions.append("absent")
    return card


def _auto_closes(shift, pairs, bounds, now) -> bool:
    """A day still open after its shift ended is closed at the end, if the shift says so."""
    if shift is None or not shift.auto_close or pairs[-1][1] is not None or now is None:
        return False
    return bounds[1] < now and pairs[-1][0] < bounds[1]


def _add_times(card: DayCard, pairs, shift: Shift | None, rules: Rules) -> None:
    step = rules.rounding_minutes
    if step > 0:
        complete = [(round_time(s, step), round_time(e, step)) for s, e in pairs if s and e]
    else:
        complete = [(s, e) for s, e in pairs if s and e]
    worked = taken = 0
    previous_end = None
    for start, end in complete:  # minutes_between, inlined: a call per pair is a third of this
        minutes = int((end - start).total_seconds() // 60)
        if minutes > 0:
            worked += minutes
        if previous_end is not None:
            minutes = int((start - previous_end).total_seconds() // 60)
            if minutes > 0:
                taken += minutes
        previous_end = end
    owed = 0
    if shift is not None and shift.break_minutes and worked > shift.break_after_minutes:
        owed = max(0, shift.break_minutes - taken)  # deducted automatically
    card.worked_minutes = max(0, worked - owed)
    card.break_minutes = taken + owed
    card.overtime_minutes = daily_overtime(card.worked_minutes, rules.daily_overtime_after)
    span = minutes_between(card.first_in, card.last_out) if card.first_in and card.last_out else 0
    if span > rules.long_shift_minutes:
        card.exceptions.append("long_shift")


def _compare_with_shift(card, punches, bounds, shift: Shift, rules: Rules, scheduled) -> None:
    start, end = bounds
    if not scheduled:
        card.exceptions.append("day_off")
        return
    if card.first_in is not None:
        late = minutes_between(start, card.first_in)
        if late > shift.late_grace_minutes:
            card.late_minutes = late
            card.exceptions.append("late")
    if card.last_out is not None and "auto_closed" not in card.exceptions:
        early = minutes_between(card.last_out, end)
        if early > shift.early_grace_minutes:
            card.early_minutes = early
            card.exceptions.append("early")
    margin = timedelta(minutes=rules.outside_schedule_minutes)
    # real (UTC) time, as a DST night is; the punches are in time order, so only the first and
    # the last can be outside
    earliest, latest = start.astimezone(UTC) - margin, end.astimezone(UTC) + margin
    if punches[0].at < earliest or punches[-1].at > latest:
        card.exceptions.append("outside_schedule")
