"""WorkTime One's hourly request budget, as the ``X-RateLimit-*`` headers of every answer tell it.

Plans allow 100, 1,000 or 10,000+ requests an hour per key, counted in fixed windows that end at
``X-RateLimit-Reset`` (epoch seconds). A full sync on the free plan is larger than the budget,
and other integrations may share the key, so the client spends the budget deliberately:

Pacing policy (decided before every request from the newest headers seen):

1. While more than ``PACE_BELOW`` (20 %) of the window's limit remains, requests go out at once:
   small syncs and pushes never wait.
2. From then on the requests left are spread evenly over the time until the reset: sleep
   ``(reset - now) / remaining`` before each one. The last one lands at the reset, so a long
   sync rolls into the next window without ever meeting a 429, and the key keeps a trickle of
   requests for others (the outbox, another integration) meanwhile.
3. With nothing left, wait until the reset (plus ``RESET_MARGIN`` for clock skew).
4. A wait longer than ``options.max_wait`` is not slept: :class:`RateLimitError` is raised with
   ``retry_after`` = seconds until the reset, so a worker reschedules instead of blocking.

Headers from an answer without them (an edge proxy's HTML error page) change nothing; once the
reset time has passed, the old numbers are forgotten (a new window is full).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from connectors import errors

WINDOW_SECONDS = 3600  # the document: "requests per hour"
PACE_BELOW = 0.2  # pace once no more than this share of the limit remains
RESET_MARGIN = 1.0  # seconds added to a wait for an exhausted budget: our clock may run early
PLAN_NAMES = {100: "free", 1000: "paid"}  # 10,000 and more: enterprise


@dataclass(frozen=True)
class RateLimitState:
    """What the last answer said: for the portal's health page and ``check()``."""

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None  # aware UTC; when the window's budget is full again

    @property
    def plan(self) -> str:
        if self.limit is None:
            return ""
        return PLAN_NAMES.get(self.limit, "enterprise" if self.limit >= 10000 else "custom")

    def as_dict(self) -> dict:
        return {
            "limit": self.limit,
            "remaining": self.remaining,
            "reset": self.reset.isoformat() if self.reset else None,
            "plan": self.plan,
        }


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(str(value).strip())) if value is not None else None
    except ValueError:
        return None


class RateBudget:
    """The client's view of its key's budget; ``now`` returns epoch seconds (injectable)."""

    def __init__(self, now: Callable[[], float]):
        self._local_now = now
        self.skew = 0.0  # server clock minus ours, from the last answer's Date header
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset: float | None = None  # epoch seconds

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the numbers of one answer; an answer without them leaves the view as it was."""
        limit = _header_int(headers, "X-RateLimit-Limit")
        remaining = _header_int(headers, "X-RateLimit-Remaining")
        reset = _header_int(headers, "X-RateLimit-Reset")
        if limit is None and remaining is None and reset is None:
            return
        self.limit = limit if limit is not None else self.limit
        self.remaining = remaining if remaining is not None else self.remaining
        self.reset = float(reset) if reset is not None else self.reset
        self._note_server_clock(headers.get("Date"))

    def now(self) -> float:
        """The server's time as best we know it: the reset header is in the server's clock."""
        return self._local_now() + self.skew

    def _note_server_clock(self, date_header: str | None) -> None:
        if not date_header:
            return
        try:
            self.skew = parsedate_to_datetime(date_header).timestamp() - self._local_now()
        except (TypeError, ValueError):
            pass  # an unreadable Date: keep the last estimate

    def seconds_to_reset(self) -> float | None:
        """Seconds until the window ends; never more than a window (our clock may be behind)."""
        if self.reset is None:
            return None
        return max(0.0, min(float(WINDOW_SECONDS), self.reset - self.now()))

    def state(self) -> RateLimitState:
        reset = datetime.fromtimestamp(self.reset, UTC) if self.reset is not None else None
        remaining = self.remaining
        if self.reset is not None and self.now() >= self.reset and self.limit is not None:
            remaining = self.limit  # the window we last heard about is over
        return RateLimitState(self.limit, remaining, reset)

    def delay(self) -> tuple[float, bool]:
        """(seconds to wait before the next request, whether the budget is exhausted)."""
        until_reset = self.seconds_to_reset()
        if self.remaining is None or not until_reset:
            return 0.0, False  # nothing known yet, or the window has rolled over
        if self.remaining <= 0:
            return until_reset + RESET_MARGIN, True
        low_water = max(1, math.ceil((self.limit or 0) * PACE_BELOW))
        if self.remaining > low_water:
            return 0.0, False
        return until_reset / self.remaining, False

    def wait_turn(self, sleep: Callable[[float], None], max_wait: float) -> float:
        """Sleep as the policy says before one request; raise when the wait is too long."""
        wait, exhausted = self.delay()
        if wait <= 0:
            return 0.0
        if wait > max_wait:
            until_reset = (self.seconds_to_reset() or 0.0) + RESET_MARGIN
            what = "spent" if exhausted else f"down to {self.remaining} of {self.limit}"
            raise errors.RateLimitError(
                f"WorkTime One's hourly request budget is {what}; it refills in {until_reset:.0f} s. "
                "The sync continues then.",
                retry_after=until_reset,
            )
        sleep(wait)
        return wait
