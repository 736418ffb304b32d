"""What people and doors do at the demo company, day by day, deterministically.

The plan produces *happenings* (someone presents a credential at a door, a door is forced, a
door left open is checked, an operator at the BioStar console clears an alarm). The simulator
decides their outcome when it processes them (a user disabled through the API is then denied),
so history and live activity come from the same code: ``demo()`` replays 30 days, ``tick()``
replays whatever the clock has passed since.

Shifts cover the whole day (early, late and night in operations, the warehouse and security)
and security patrols at night and at weekends, so there is activity at any hour.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# (ts_ms, sequence, kind, door_id, user_id, tna_key); sorted by (ts_ms, sequence)
Happening = tuple[int, int, str, int, str, int]

ATTEMPT, ATTEMPT_HOLD, FORCED, HELD_CHECK, CONSOLE_CLEAR = (
    "attempt", "attempt_hold", "forced", "held_check", "console_clear",
)  # fmt: skip
TNA_NONE, TNA_IN, TNA_OUT, TNA_MEAL_OUT, TNA_MEAL_IN = 0, 1, 2, 5, 6

SHIFTS = {  # name -> (start hour, minutes long)
    "office": (8, 9 * 60),
    "early": (6, 8 * 60),
    "late": (14, 8 * 60),
    "night": (22, 8 * 60),
    "workshop": (7, 8 * 60 + 30),
}
ROTATING = ("Operations", "Warehouse", "Security")


@dataclass(frozen=True)
class PlanPerson:
    user_id: str
    site: str
    department: str
    shift: str
    entrance: int  # door id
    usual_doors: tuple[int, ...]  # inner doors this person goes through during a shift
    keeps_time: bool = True  # False: badges carry no T&A key (the demo team clocks elsewhere)


@dataclass(frozen=True)
class PlanSite:
    code: str
    entrances: tuple[int, ...]
    inner: tuple[int, ...]
    open_timeouts: dict[int, int]
    patrol_user: str | None


def shift_for(department: str, user_id: str) -> str:
    if department in ROTATING:
        return ("early", "late", "night")[sum(map(ord, user_id)) % 3]
    return "workshop" if department == "Workshop" else "office"


class ActivityPlan:
    def __init__(
        self, people: Iterable[PlanPerson], sites: Iterable[PlanSite], zone: ZoneInfo, seed: int
    ):
        self.people = tuple(people)
        self.sites = {site.code: site for site in sites}
        self.zone = zone
        self.seed = seed
        self._days: dict[date, list[Happening]] = {}

    def between(self, start_ms: int, end_ms: int) -> list[Happening]:
        """Happenings with ``start_ms <= ts < end_ms``, in time order."""
        if end_ms <= start_ms:
            return []
        first = datetime.fromtimestamp(start_ms / 1000, self.zone).date() - timedelta(days=1)
        last = datetime.fromtimestamp(end_ms / 1000, self.zone).date()
        found: list[Happening] = []
        day = first
        while day <= last:
            found.extend(h for h in self.day(day) if start_ms <= h[0] < end_ms)
            day += timedelta(days=1)
        found.sort()
        if len(self._days) > 45:  # the clock only moves forward: forget old days
            for old in sorted(self._days)[:-10]:
                del self._days[old]
        return found

    def day(self, day: date) -> list[Happening]:
        if day not in self._days:
            self._days[day] = self._generate(day)
        return self._days[day]

    # -- generation -------------------------------------------------------------------------
    def _generate(self, day: date) -> list[Happening]:
        rng = random.Random(self.seed * 1_000_003 + day.toordinal())
        out: list[Happening] = []
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)

        def at(minutes: float) -> int:
            return int((midnight + timedelta(minutes=minutes)).timestamp() * 1000)

        def add(ts_ms: int, kind: str, door: int, user: str = "", tna: int = TNA_NONE) -> None:
            out.append((ts_ms, len(out), kind, door, user, tna))

        weekday = day.weekday() < 5
        for person in self.people:
            who = person.user_id
            site = self.sites.get(person.site)
            if site is None or not (weekday or rng.random() < 0.04) or rng.random() < 0.06:
                continue  # weekend (a few come in anyway) or absent
            start_hour, length = SHIFTS[person.shift]
            keys = (
                (TNA_IN, TNA_OUT, TNA_MEAL_OUT, TNA_MEAL_IN)
                if person.keeps_time
                else (TNA_NONE,) * 4
            )
            tna_in, tna_out, meal_out, meal_in = keys
            arrive = start_hour * 60 + rng.gauss(-8, 7)
            leave = arrive + length + rng.gauss(12, 10)
            add(at(arrive), ATTEMPT, person.entrance, who, tna_in)
            if person.shift == "office" and rng.random() < 0.4:
                lunch = 12 * 60 + rng.uniform(0, 50)
                add(at(lunch), ATTEMPT, person.entrance, who, meal_out)
                add(at(lunch + rng.uniform(25, 45)), ATTEMPT, person.entrance, who, meal_in)
            for _ in range(rng.randint(0, 3) if person.usual_doors else 0):
                door = rng.choice(person.usual_doors)
                add(at(rng.uniform(arrive + 10, leave - 10)), ATTEMPT, door, who)
            if site.inner and rng.random() < 0.04:  # wanders to a door that may refuse them
                door = rng.choice(site.inner)
                add(at(rng.uniform(arrive + 10, leave - 10)), ATTEMPT, door, who)
            add(at(leave), ATTEMPT, person.entrance, who, tna_out)
        for site in self.sites.values():
            self._site_day(site, weekday, rng, at, add, out)
        out.sort()
        return out

    def _site_day(self, site: PlanSite, weekday: bool, rng, at, add, out) -> None:
        doors = site.entrances + site.inner
        rounds = range(24) if not weekday else (*range(18, 24), *range(0, 7))  # hourly rounds
        if site.patrol_user:
            for hour in rounds:
                minute = hour * 60 + rng.uniform(0, 20)
                for step, door in enumerate(doors):
                    add(at(minute + 2 * step), ATTEMPT, door, site.patrol_user)
        for _ in range(rng.randint(0, 2)):  # someone unknown tries the entrance
            add(at(rng.uniform(7 * 60, 20 * 60)), ATTEMPT, rng.choice(site.entrances), "")
        if site.inner and rng.random() < 0.45:  # a door forced open, cleared at the console later
            door, when = rng.choice(site.inner), rng.uniform(0, 24 * 60)
            add(at(when), FORCED, door)
            add(at(when + rng.uniform(5, 30)), CONSOLE_CLEAR, door)
        self._held_open(site, rng, add, out)

    def _held_open(self, site: PlanSite, rng, add, out) -> None:
        """Turn one or two of today's granted passages at this site into doors left open."""
        doors = set(site.entrances + site.inner)
        candidates = [i for i, h in enumerate(out) if h[2] == ATTEMPT and h[3] in doors and h[4]]
        for index in rng.sample(candidates, min(len(candidates), rng.randint(0, 2))):
            ts, seq, _, door, user, tna = out[index]
            out[index] = (ts, seq, ATTEMPT_HOLD, door, user, tna)
            check = ts + (site.open_timeouts.get(door, 10) + 1) * 1000
            add(check, HELD_CHECK, door)
            add(check + int(rng.uniform(5, 30) * 60_000), CONSOLE_CLEAR, door)
