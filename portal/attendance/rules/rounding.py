"""Rounding of derived times: the punch itself is never changed."""

from __future__ import annotations

from datetime import datetime, timedelta


def round_time(moment: datetime, minutes: int) -> datetime:
    """To the nearest ``minutes`` (half rounds up); whole-hour offsets keep local alignment."""
    if minutes <= 0:
        return moment
    step = minutes * 60
    seconds = moment.minute * 60 + moment.second + moment.microsecond / 1e6
    base = moment.replace(minute=0, second=0, microsecond=0)
    return base + timedelta(seconds=round(seconds / step + 1e-9) * step)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes of real (UTC) time: a DST night is as long as it really was."""
    return int((end - start).total_seconds() // 60)
