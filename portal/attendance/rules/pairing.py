"""From counted punches to in/out pairs, deciding directions the vendor did not give."""

from __future__ import annotations

from datetime import datetime

from portal.attendance.rules.types import BREAK_IN, BREAK_OUT, IN, OUT, RawPunch, Rules

Pair = tuple[datetime | None, datetime | None]

_AS_IN_OUT = {BREAK_OUT: OUT, BREAK_IN: IN}  # a break ends a pair and starts the next


def directions(punches: list[RawPunch], rules: Rules) -> list[str]:
    """The direction each punch counts as. ``trust`` keeps the vendor's (alternating where it
    gave none), ``alternate`` ignores it, ``first_last`` makes the first in and the last out."""
    result: list[str] = []
    modes, default = rules.direction_modes, rules.default_direction_mode
    last = len(punches) - 1
    previous = OUT  # the last direction decided, "skip" aside
    for index, punch in enumerate(punches):
        mode = modes.get(punch.kind or punch.source, default) if modes else default
        if mode == "first_last" and not punch.manual:
            decided = IN if index == 0 else OUT if index == last else "skip"
        else:
            given = _AS_IN_OUT.get(punch.direction, punch.direction)
            if mode == "trust" and given in (IN, OUT):
                decided = given
            else:
                decided = IN if previous == OUT else OUT
        result.append(decided)
        if decided != "skip":
            previous = decided
    return result


def pair(punches: list[RawPunch], rules: Rules) -> list[Pair]:
    """In/out pairs in time order; (in, None) lacks its out, (None, out) its in.

    The directions are decided as :func:`directions` does, in the same loop (a full build pairs
    a quarter of a million days)."""
    pairs: list[Pair] = []
    open_in: datetime | None = None
    modes, default = rules.direction_modes, rules.default_direction_mode
    last = len(punches) - 1
    previous = OUT
    for index, punch in enumerate(punches):
        mode = modes.get(punch.kind or punch.source, default) if modes else default
        if mode == "first_last" and not punch.manual:
            if index == 0:
                direction = IN
            elif index == last:
                direction = OUT
            else:
                continue  # skipped: the direction before it stands
        else:
            given = _AS_IN_OUT.get(punch.direction, punch.direction)
            if mode == "trust" and given in (IN, OUT):
                direction = given
            else:
                direction = IN if previous == OUT else OUT
        previous = direction
        if direction == IN:
            if open_in is not None:
                pairs.append((open_in, None))
            open_in = punch.at
        else:
            pairs.append((open_in, punch.at))
            open_in = None
    if open_in is not None:
        pairs.append((open_in, None))
    return pairs
