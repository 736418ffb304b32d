"""Faults a test can switch on for a simulator, applied to the next requests it serves.

Faults are counted down per request so a test can say "the next three requests fail with 503"
and then see the client recover. ``latency`` applies to every request while it is set.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


class InjectedFault(Exception):
    """Raised inside the WSGI app; the transport or the loopback server turns it into a network fault."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind  # "timeout" | "drop"


@dataclass
class Faults:
    latency: float = 0.0  # seconds added to every answer
    error_burst: int = 0  # the next N requests answer ``error_status``
    error_status: int = 503
    timeouts: int = 0  # the next N requests never answer (client sees a timeout)
    drops: int = 0  # the next N requests lose the connection before an answer
    lost_answers: int = 0  # the next N requests are carried out, then the answer is lost
    hang_seconds: float = 35.0  # how long a loopback "timeout" holds the socket
    only_paths: tuple[str, ...] = ()  # restrict the counted faults to paths starting with these
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def applies_to(self, path: str) -> bool:
        return not self.only_paths or path.startswith(self.only_paths)

    def take(self, name: str, path: str) -> bool:
        """Consume one use of the counted fault ``name`` if it is armed for ``path``."""
        if not self.applies_to(path):
            return False
        with self._lock:
            left = getattr(self, name)
            if left > 0:
                setattr(self, name, left - 1)
                return True
        return False

    def clear(self) -> None:
        self.latency = 0.0
        self.error_burst = self.timeouts = self.drops = self.lost_answers = 0
        self.only_paths = ()
