"""API keys, their scopes and plans, and the hourly request budget behind ``X-RateLimit-*``.

Scopes follow the document: Read Only answers GET; Read/Write adds POST and PUT; Full Access adds
DELETE. Plans: Free 100, Paid 1,000, Enterprise 10,000 requests an hour ("10,000+": pass
``hourly_limit`` for more). The window is the current hour of the simulated clock, so
``X-RateLimit-Reset`` is the epoch second of the next full hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

READ = "read"
READ_WRITE = "read-write"
FULL = "full"
SCOPES = (READ, READ_WRITE, FULL)

PLANS = {"free": 100, "paid": 1000, "enterprise": 10000}

_METHODS_ALLOWED = {
    READ: {"GET", "HEAD", "OPTIONS"},
    READ_WRITE: {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"},
    FULL: {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"},
}


@dataclass
class ApiKey:
    key: str
    scope: str = FULL
    plan: str = "paid"
    hourly_limit: int | None = None  # overrides the plan's budget ("10,000+")
    revoked: bool = False

    def __post_init__(self):
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        if self.plan not in PLANS:
            raise ValueError(f"plan must be one of {tuple(PLANS)}")

    @property
    def limit(self) -> int:
        return self.hourly_limit or PLANS[self.plan]

    def allows(self, method: str) -> bool:
        return method.upper() in _METHODS_ALLOWED[self.scope]


@dataclass(frozen=True)
class RateState:
    """What the rate-limit headers say after a request was counted (or refused)."""

    limit: int
    remaining: int
    reset: int  # epoch seconds

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class HourlyBudget:
    """Requests counted per key in fixed windows aligned to the hour of the simulated clock."""

    def __init__(self):
        self._used: dict[str, tuple[int, int]] = {}  # bucket -> (window start epoch, used)

    @staticmethod
    def window(now: datetime) -> int:
        epoch = int(now.timestamp())
        return epoch - epoch % 3600

    def peek(self, bucket: str, limit: int, now: datetime) -> RateState:
        window = self.window(now)
        start, used = self._used.get(bucket, (window, 0))
        if start != window:
            used = 0
        return RateState(limit, max(0, limit - used), window + 3600)

    def spend(
        self, bucket: str, limit: int, now: datetime, count: int = 1
    ) -> tuple[bool, RateState]:
        """Count ``count`` requests; False (and nothing counted) when the budget is spent."""
        window = self.window(now)
        start, used = self._used.get(bucket, (window, 0))
        if start != window:
            used = 0
        if used + count > limit:
            self._used[bucket] = (window, used)
            return False, RateState(limit, max(0, limit - used), window + 3600)
        used += count
        self._used[bucket] = (window, used)
        return True, RateState(limit, limit - used, window + 3600)
