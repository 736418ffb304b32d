"""What happens in the demo company each day, derived from (person, date) alone so the 30 days of
history ``demo()`` builds and the activity ``tick()`` adds later are the same story.

People clock in by opening their site's gateway lock (fingerprint, card, passcode) or in the app;
some arrive late or leave early (penalties); during the day they open the site's second lock,
which has no gateway, so those openings reach the cloud 20 minutes to 3 hours late. The Security
department works nights, and every hour a few openings happen anywhere (patrols, cleaners,
deliveries, an unknown fingerprint now and then) so the demo is never quiet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache

CLOCK_IN = "clock_in"
CLOCK_OUT = "clock_out"
LOCK = "lock"

_METHODS = ("fingerprint", "fingerprint", "card", "passcode", "app")


@dataclass(frozen=True, order=True)
class PlannedEvent:
    visible_at: datetime  # when the cloud learns of it (later than ``at`` for gateway-less locks)
    at: datetime
    order: int
    kind: str = field(compare=False)
    employee_index: int | None = field(compare=False)
    lock_id: str | None = field(compare=False)
    method: str = field(compare=False)
    success: bool = field(compare=False, default=True)


@dataclass(frozen=True)
class Worker:
    """What the plan needs to know about one employee (hashable, for the cache)."""

    index: int
    code: str
    department: str
    shift_start_minutes: int  # local minutes after midnight
    shift_minutes: int
    gateway_lock: str
    other_lock: str
    keeps_time: bool = True  # False: employed here, clocks at another system (the demo team)


def plan_day(worker: Worker, day: date, zone: tzinfo) -> list[PlannedEvent]:
    return [
        PlannedEvent(visible, at, order, kind, worker.index, lock, method, success)
        for visible, at, order, kind, lock, method, success in _plan(worker, day, zone)
    ]


@lru_cache(maxsize=8192)
def _plan(worker: Worker, day: date, zone: tzinfo) -> tuple:
    if not worker.keeps_time:
        return ()
    rng = random.Random(f"worktime:{worker.code}:{day.isoformat()}")
    night = worker.department == "Security"
    if (day.weekday() >= 5 and not night) or rng.random() < (0.28 if night else 0.06):
        return ()
    person = random.Random(f"worktime-person:{worker.code}")
    method = person.choice(_METHODS)
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    scheduled = midnight + timedelta(minutes=worker.shift_start_minutes)
    late = rng.random() < 0.15
    arrive = scheduled + timedelta(minutes=rng.uniform(5, 45) if late else rng.uniform(-20, 4))
    early = rng.random() < 0.10
    end = scheduled + timedelta(minutes=worker.shift_minutes)
    leave = end + timedelta(minutes=rng.uniform(-90, -10) if early else rng.uniform(-2, 50))
    arrive, leave = arrive.astimezone(UTC), leave.astimezone(UTC)
    events = []
    lock = None if method == "app" else worker.gateway_lock
    if lock:
        if rng.random() < 0.04:  # finger not recognised the first time
            retry = arrive - timedelta(seconds=rng.randint(5, 40))
            events.append((retry, retry, LOCK, lock, method, False))
        events.append((arrive, arrive, LOCK, lock, method, True))
    events.append((arrive, arrive, CLOCK_IN, lock, method, True))
    for _ in range(rng.randint(0, 3)):
        at = arrive + (leave - arrive) * rng.uniform(0.1, 0.9)
        synced = at + timedelta(minutes=rng.uniform(20, 180))
        events.append(
            (synced, at, LOCK, worker.other_lock, "app" if method == "app" else "card", True)
        )
    events.append((leave, leave, CLOCK_OUT, None, method, True))
    return tuple(
        (visible, at, order, kind, lock_id, how, ok)
        for order, (visible, at, kind, lock_id, how, ok) in enumerate(events)
    )


def plan_background(
    workers: tuple[Worker, ...],
    lock_ids: tuple[str, ...],
    late_lock_ids: frozenset[str],
    day: date,
    zone: tzinfo,
) -> list[PlannedEvent]:
    """A few openings in every hour of ``day``, by anyone, on any lock (late from gateway-less ones)."""
    events = []
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    for hour in range(24):
        rng = random.Random(f"worktime-hour:{day.isoformat()}:{hour}")
        for n in range(rng.randint(2, 5)):
            at = (midnight + timedelta(hours=hour, seconds=rng.randint(0, 3599))).astimezone(UTC)
            worker = rng.choice(workers) if workers else None
            unknown = worker is None or rng.random() < 0.05
            lock_id = rng.choice(lock_ids)
            visible = (
                at + timedelta(minutes=rng.uniform(20, 180)) if lock_id in late_lock_ids else at
            )
            events.append(
                PlannedEvent(
                    visible,
                    at,
                    100 + n,
                    LOCK,
                    None if unknown else worker.index,
                    lock_id,
                    rng.choice(_METHODS[:4]),
                    not unknown,
                )
            )
    return events
