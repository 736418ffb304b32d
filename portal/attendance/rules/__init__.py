"""The timecard rules as pure functions (no Django): punches, shift and rules in, day cards out."""

from portal.attendance.rules.day import build_day, build_days
from portal.attendance.rules.overtime import apply_weekly_overtime
from portal.attendance.rules.types import BLOCKING, DayCard, RawPunch, Rules, Shift

__all__ = [
    "BLOCKING",
    "DayCard",
    "RawPunch",
    "Rules",
    "Shift",
    "apply_weekly_overtime",
    "build_day",
    "build_days",
]
