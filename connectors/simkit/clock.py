"""Simulated time shared by a simulator's state and its background activity."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """Aware-UTC time that either follows the wall clock (optionally faster) or only moves when told.

    Tests use ``frozen=True`` and call :meth:`advance`; the demo lets it run with the wall clock.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False, speed: float = 1.0):
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("SimClock needs an aware start time")
        self._base = start.astimezone(UTC)
        self._wall_base = time.monotonic()
        self._frozen = frozen
        self._speed = speed
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen:
                return self._base + self._offset
            elapsed = (time.monotonic() - self._wall_base) * self._speed
            return self._base + self._offset + timedelta(seconds=elapsed)

    def advance(self, delta: timedelta | float) -> datetime:
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        with self._lock:
            self._offset += delta
        return self.now()

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (aware)."""
        with self._lock:
            self._base = when.astimezone(UTC)
            self._wall_base = time.monotonic()
            self._offset = timedelta(0)
