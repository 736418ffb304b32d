"""What the timecard rules read and produce. Plain Python: no Django, so days can be hand-made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple

IN, OUT, BREAK_OUT, BREAK_IN, UNKNOWN = "in", "out", "break_out", "break_in", "unknown"

#: exceptions that block approval until a person corrects the punches
BLOCKING = frozenset({"missing_in", "missing_out"})


class RawPunch(NamedTuple):  # a tuple: a full build makes a million of them
    id: int
    at: datetime  # aware, UTC
    direction: str = UNKNOWN
    source: str = ""  # the vendor account (or "manual"); same instant from two sources = one punch
    device: str | None = None
    manual: bool = False
    kind: str = ""  # the vendor kind, for its direction mode (defaults to the source)


@dataclass(frozen=True)
class Shift:
    """A named shift: local start and end (end <= start means it ends the next day)."""

    start: time
    end: time
    work_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    break_minutes: int = 30  # owed once worked time passes break_after_minutes
    break_after_minutes: int = 360
    late_grace_minutes: int = 5
    early_grace_minutes: int = 5
    #: how far before the start and after the end a punch still belongs to this shift
    window_minutes: int = 240
    auto_close: bool = False

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Rules:
    time_zone: str = "Europe/Berlin"
    double_tap_seconds: int = 60  # same device, within this gap: counted once
    same_punch_seconds: int = 5  # different sources, within this: one punch seen twice
    rounding_minutes: int = 0  # derived in/out times only; 0 = no rounding
    daily_overtime_after: int = 480
    weekly_overtime_after: int = 2400
    long_shift_minutes: int = 720
    outside_schedule_minutes: int = 60  # a punch this far outside the shift is flagged
    day_start: time = time(4, 0)  # people without a shift: the work day starts here
    #: source -> "trust" | "alternate" | "first_last"; missing sources trust the vendor
    direction_modes: dict[str, str] = field(default_factory=dict)
    default_direction_mode: str = "trust"


@dataclass
class DayCard:
    work_date: date
    pairs: list[tuple[datetime | None, datetime | None]] = field(default_factory=list)
    counted: list[int] = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)  # punch id -> the punch it repeats
    first_in: datetime | None = None
    last_out: datetime | None = None
    worked_minutes: int = 0
    break_minutes: int = 0
    overtime_minutes: int = 0
    weekly_overtime_minutes: int = 0
    late_minutes: int = 0
    early_minutes: int = 0
    exceptions: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[str]:
        return [e for e in self.exceptions if e in BLOCKING]
