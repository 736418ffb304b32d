"""build_day: one person's work day from their punches, shift and rules. A pure function."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portal.attendance.rules.dedupe import collapse
from portal.attendance.rules.overtime import daily_overtime
from portal.attendance.rules.pairing import pair
from portal.attendance.rules.rounding import minutes_between, round_time
from portal.attendance.rules.types import DayCard, RawPunch, Rules, Shift
from portal.attendance.rules.workday import shift_bounds, work_date


def build_days(
    punches: list[RawPunch],
    shift: Shift | None,
    rules: Rules,
    days: list[date],
    *,
    holidays: frozenset[date] = frozenset(),
    now: datetime | None = None,
) -> dict[date, DayCard]:
    """Cards for ``days``: punches are collapsed once, then each goes to its work day."""
    zone = ZoneInfo(rules.time_zone)
    counted, repeats = collapse(punches, rules)
    by_day: dict[date, list[RawPunch]] = defaultdict(list)
    bounds: dict = {}
    for punch in counted:
        by_day[work_date(punch.at, shift, rules, zone, bounds)].append(punch)
    cards = {}
    for day in days:
        card = build_day(
            day, by_day.get(day, []), shift, rules, holiday=day in holidays, now=now, zone=zone
        )
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
) -> DayCard:
    """``punches``: the counted (already collapsed) punches of this work day."""
    zone = zone or ZoneInfo(rules.time_zone)
    card = DayCard(work_date=day, counted=[p.id for p in punches])
    scheduled = shift is not None and day.weekday() in shift.work_days and not holiday
    bounds = shift_bounds(day, shift, zone) if shift is not None else None
    if not punches:
        if scheduled and now is not None and bounds[1] < now:
            card.exceptions.append("absent")
        return card
    pairs = pair(punches, rules)
    if _auto_closes(shift, pairs, bounds, now):
        pairs[-1] = (pairs[-1][0], bounds[1])
        card.exceptions.append("auto_closed")
    card.pairs = pairs
    if any(start is None for start, _ in pairs):
        card.exceptions.append("missing_in")
    if any(end is None for _, end in pairs):
        card.exceptions.append("missing_out")
    card.first_in = next((s for s, _ in pairs if s is not None), None)
    card.last_out = next((e for _, e in reversed(pairs) if e is not None), None)
    _add_times(card, pairs, shift, rules)
    if shift is not None:
        _compare_with_shift(card, punches, bounds, shift, rules, scheduled)
    return card


def _auto_closes(shift, pairs, bounds, now) -> bool:
    """A day still open after its shift ended is closed at the end, if the shift says so."""
    if shift is None or not shift.auto_close or pairs[-1][1] is not None or now is None:
        return False
    return bounds[1] < now and pairs[-1][0] < bounds[1]


def _add_times(card: DayCard, pairs, shift: Shift | None, rules: Rules) -> None:
    step = rules.rounding_minutes
    complete = [(round_time(s, step), round_time(e, step)) for s, e in pairs if s and e]
    worked = sum(max(0, minutes_between(s, e)) for s, e in complete)
    taken = sum(
        max(0, minutes_between(complete[i][1], complete[i + 1][0]))
        for i in range(len(complete) - 1)
    )
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
    margin = rules.outside_schedule_minutes * 60
    if any(
        (start - p.at).total_seconds() > margin or (p.at - end).total_seconds() > margin
        for p in punches
    ):
        card.exceptions.append("outside_schedule")
