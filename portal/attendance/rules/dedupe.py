"""One punch counted once: a double tap, or the same punch read from two systems."""

from __future__ import annotations

from datetime import timedelta
from operator import itemgetter

from portal.attendance.rules.types import RawPunch, Rules

_BY_TIME = itemgetter(1, 0)  # RawPunch (id, at, ...): by time, then id


def collapse(punches: list[RawPunch], rules: Rules) -> tuple[list[RawPunch], dict[int, int]]:
    """The punches that count (in time order) and, for each repeat, the punch it repeats.

    A manual punch never collapses into a vendor punch: someone entered it on purpose.
    """
    counted: list[RawPunch] = []
    repeats: dict[int, int] = {}
    reach = timedelta(seconds=max(rules.double_tap_seconds, rules.same_punch_seconds))
    for punch in sorted(punches, key=_BY_TIME):
        # the usual punch: far from the one before it, nothing to compare
        if punch.manual or not counted or punch.at - counted[-1].at > reach:
            counted.append(punch)
            continue
        kept = _repeat_of(punch, counted, rules)
        if kept is None:
            counted.append(punch)
        else:
            repeats[punch.id] = kept.id
    return counted, repeats


def _repeat_of(punch: RawPunch, counted: list[RawPunch], rules: Rules) -> RawPunch | None:
    if punch.manual:
        return None
    for kept in reversed(counted):
        gap = (punch.at - kept.at).total_seconds()
        if gap > max(rules.double_tap_seconds, rules.same_punch_seconds):
            return None
        if kept.manual:
            continue
        if kept.source != punch.source and gap <= rules.same_punch_seconds:
            return kept
        same_device = kept.source == punch.source and kept.device == punch.device
        if same_device and gap <= rules.double_tap_seconds and _compatible(kept, punch):
            return kept
    return None


def _compatible(first: RawPunch, second: RawPunch) -> bool:
    """A tap "in" then "out" a second later is two answers, not a double tap."""
    return "unknown" in (first.direction, second.direction) or first.direction == second.direction
