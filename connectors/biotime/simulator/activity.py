"""Who punches when: the demo company's working days turned into punches at the terminals.

Each person's day is drawn from a generator seeded by (seed, employee code, date), so history
and live ticks agree and the demo is the same on every run. Shift workers (Operations, Security)
rotate early/late/night shifts and take breaks in the middle of them, so punches arrive at any
hour; office staff come in between 07:30 and 09:30.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from connectors.biotime.simulator.records import Terminal
from connectors.biotime.simulator.transactions import mix

CHECK_IN, CHECK_OUT, BREAK_OUT, BREAK_IN, OVERTIME_IN, OVERTIME_OUT = 0, 1, 2, 3, 4, 5
OFFICE = {"Sales", "Finance", "Human Resources", "IT"}


@dataclass(frozen=True)
class Worker:
    emp_code: str
    department: str
    index: int  # stable number of the person, to rotate shifts
    terminals: tuple[int, ...]  # attendance terminals of the person's site; the first is home
    verify_type: int
    last_day: date | None = None  # resigned: no punches after this day
    steady: bool = False  # never off sick (the demo manager's team)


class RealPunch(NamedTuple):
    real_ts: int  # when the person actually punched (UTC epoch seconds)
    emp_code: str
    state: int
    terminal_id: int
    verify_type: int
    temperature: int  # tenths of a degree


class DemoActivity:
    def __init__(self, workers: list[Worker], tz: ZoneInfo, seed: int):
        self.workers = workers
        self.tz = tz
        self.seed = seed
        self._days: dict[date, tuple[list[int], list[RealPunch]]] = {}

    def punches_between(self, after_ts: int, until_ts: int) -> list[RealPunch]:
        """Punches with ``after_ts < real_ts <= until_ts``, in time order."""
        first = datetime.fromtimestamp(after_ts, self.tz).date() - timedelta(days=1)
        last = datetime.fromtimestamp(until_ts, self.tz).date()
        out: list[RealPunch] = []
        day = first
        while day <= last:
            times, punches = self._day(day)
            out.extend(punches[bisect_right(times, after_ts) : bisect_right(times, until_ts)])
            day += timedelta(days=1)
        for old in [d for d in self._days if d < first - timedelta(days=2)]:
            del self._days[old]
        out.sort()
        return out

    def _day(self, day: date) -> tuple[list[int], list[RealPunch]]:
        if day not in self._days:
            punches = sorted(p for w in self.workers for p in self._worker_day(w, day))
            self._days[day] = ([p.real_ts for p in punches], punches)
        return self._days[day]

    # -- one person's day ---------------------------------------------------------------------
    def _shift(self, worker: Worker, day: date, rng: random.Random) -> tuple[int, int, bool] | None:
        """(start minute, length in minutes, overtime?) of the day's shift, or None."""
        weekday, week = day.weekday(), day.isocalendar().week
        department = worker.department
        if department == "Security":  # round the clock, two days off a week
            if (day.toordinal() + worker.index) % 7 in (0, 1):
                return None
            return ((6 * 60, 14 * 60, 22 * 60)[(week + worker.index) % 3], 8 * 60, False)
        if department == "Cleaning":
            return (18 * 60, 3 * 60, False) if weekday < 5 else None
        if weekday == 5 and department == "Warehouse" and rng.random() < 0.15:
            return (7 * 60, 5 * 60, True)  # Saturday overtime
        if weekday >= 5:
            return None
        if department == "Operations":
            return ((6 * 60, 14 * 60, 22 * 60)[(week + worker.index) % 3], 8 * 60, False)
        if department == "Warehouse":
            return ((6 * 60, 13 * 60 + 30)[(week + worker.index) % 2], 8 * 60 + 30, False)
        if department == "Workshop":
            return (7 * 60, 8 * 60 + 30, False)
        return (7 * 60 + 30 + rng.randrange(0, 120, 5), 8 * 60 + rng.randint(0, 60), False)

    def _worker_day(self, worker: Worker, day: date) -> list[RealPunch]:
        if worker.last_day and day > worker.last_day:
            return []
        rng = random.Random(f"{self.seed}:{worker.emp_code}:{day.toordinal()}")
        if rng.random() < 0.05 and not worker.steady:  # sick or on leave
            return []
        shift = self._shift(worker, day, rng)
        if shift is None:
            return []
        start, length, overtime = shift
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)

        def at(minute: float) -> int:
            # aware arithmetic is wall-clock arithmetic in the local zone: DST days stay right
            moment = midnight + timedelta(minutes=minute, seconds=rng.randint(0, 59))
            return int(moment.timestamp())

        arrive = start - rng.uniform(2, 15) if rng.random() > 0.08 else start + rng.uniform(1, 25)
        leave = start + length + rng.uniform(0, 20)
        plan = [(arrive, OVERTIME_IN if overtime else CHECK_IN)]
        if rng.random() < 0.015:  # pressed twice
            plan.append((arrive + rng.uniform(0.3, 1.5), OVERTIME_IN if overtime else CHECK_IN))
        office = worker.department in OFFICE
        if not overtime and rng.random() < (0.45 if office else 0.7):
            pause_at = (
                rng.uniform(12 * 60, 13 * 60 + 30)
                if office
                else start + rng.uniform(90, length - 90)
            )
            pause = rng.uniform(30, 50)
            plan += [(pause_at, BREAK_OUT), (pause_at + pause, BREAK_IN)]
        if rng.random() > 0.02:  # 2 % forget to punch out
            plan.append((leave, OVERTIME_OUT if overtime else CHECK_OUT))
        terminals = worker.terminals
        punches = []
        for minute, state in plan:
            home = rng.random() < 0.8 or len(terminals) == 1
            terminal = terminals[0] if home else rng.choice(terminals[1:])
            verify = worker.verify_type if rng.random() < 0.97 else 0  # sometimes the PIN
            temperature = 360 + rng.randint(0, 12)
            punches.append(
                RealPunch(at(minute), worker.emp_code, state, terminal, verify, temperature)
            )
        return punches


def device_times(terminal: Terminal, real_ts: int, tz: ZoneInfo, seed: int) -> tuple[int, int]:
    """(punch_ts, upload_ts) as the server records a punch made at ``real_ts`` on ``terminal``.

    The device stamps the punch with its own clock (maybe ahead) and pushes it within seconds,
    unless it is in an offline window or span: then it pushes when that ends.
    """
    punch_ts = real_ts + terminal.clock_ahead_seconds
    lag = 1 + mix(seed, real_ts * 31 + terminal.id) % 20
    upload_ts = real_ts + lag
    local = datetime.fromtimestamp(real_ts, tz)
    minute = local.hour * 60 + local.minute
    for start, end in terminal.offline_windows:
        if start <= minute < end:
            back = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
            upload_ts = int(back.timestamp()) + lag * 3
    for start, end in terminal.offline_spans:
        if start <= real_ts < end:
            upload_ts = max(upload_ts, end + lag * 3)
    return punch_ts, upload_ts
