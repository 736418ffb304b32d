"""From counted punches to in/out pairs, deciding directions the vendor did not give."""

from __future__ import annotations

from datetime import datetime

from portal.attendance.rules.types import BREAK_IN, BREAK_OUT, IN, OUT, RawPunch, Rules

Pair = tuple[datetime | None, datetime | None]

_AS_IN_OUT = {BREAK_OUT: OUT, BREAK_IN: IN}  # a break ends a pair and starts the next


def pair(punches: list[RawPunch], rules: Rules) -> list[Pair]:
    """In/out pairs in time order; (in, None) lacks its out, (None, out) its in.

    Each punch's direction is decided in the same loop: ``trust`` keeps the vendor's (alternating
    where it gave none), ``alternate`` ignores it, ``first_last`` makes the first in and the last
    out and skips the rest (manual punches keep theirs)."""
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
