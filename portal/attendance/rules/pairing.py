"""From counted punches to in/out pairs, deciding directions the vendor did not give."""

from __future__ import annotations

from datetime import datetime

from portal.attendance.rules.types import BREAK_IN, BREAK_OUT, IN, OUT, RawPunch, Rules

Pair = tuple[datetime | None, datetime | None]


def directions(punches: list[RawPunch], rules: Rules) -> list[str]:
    """The direction each punch counts as. ``trust`` keeps the vendor's (alternating where it
    gave none), ``alternate`` ignores it, ``first_last`` makes the first in and the last out."""
    result: list[str] = []
    count = len(punches)
    for index, punch in enumerate(punches):
        mode = rules.direction_modes.get(punch.kind or punch.source, rules.default_direction_mode)
        given = {BREAK_OUT: OUT, BREAK_IN: IN}.get(punch.direction, punch.direction)
        if mode == "first_last" and not punch.manual:
            result.append(IN if index == 0 else OUT if index == count - 1 else "skip")
        elif mode == "trust" and given in (IN, OUT):
            result.append(given)
        else:
            previous = next((d for d in reversed(result) if d != "skip"), OUT)
            result.append(IN if previous == OUT else OUT)
    return result


def pair(punches: list[RawPunch], rules: Rules) -> list[Pair]:
    """In/out pairs in time order; (in, None) lacks its out, (None, out) its in."""
    pairs: list[Pair] = []
    open_in: datetime | None = None
    for punch, direction in zip(punches, directions(punches, rules), strict=True):
        if direction == IN:
            if open_in is not None:
                pairs.append((open_in, None))
            open_in = punch.at
        elif direction == OUT:
            pairs.append((open_in, punch.at))
            open_in = None
    if open_in is not None:
        pairs.append((open_in, None))
    return pairs
