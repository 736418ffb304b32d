"""Daily and weekly overtime: weekly counts only what the daily rule has not counted already."""

from __future__ import annotations

from portal.attendance.rules.types import DayCard


def daily_overtime(worked_minutes: int, threshold: int) -> int:
    return max(0, worked_minutes - threshold) if threshold > 0 else 0


def apply_weekly_overtime(week: list[DayCard], threshold: int) -> None:
    """Set ``weekly_overtime_minutes`` on the days (one week, any order) where the regular
    (non-overtime) time passes ``threshold``; the day that crosses it gets the excess."""
    regular_so_far = 0
    for card in sorted(week, key=lambda c: c.work_date):
        regular = card.worked_minutes - card.overtime_minutes
        before = regular_so_far
        regular_so_far += regular
        if threshold <= 0:
            card.weekly_overtime_minutes = 0
            continue
        card.weekly_overtime_minutes = max(0, regular_so_far - max(before, threshold))
