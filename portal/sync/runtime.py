"""The interpreter tuned for the length of a pull: fewer collector walks, quicker thread hand-offs.

**The collector.** A pull allocates millions of short-lived objects (a punch's record, row and JSON
text). Each time enough of them pile up the collector runs, and every so often it walks every
object the worker holds: the whole Django project. Measured on a pull of 10,000 people and 200,000
punches: 0.6 s of the people's 2.4 s of CPU and 2.0 s of the punches' 14-17 s went to it. Freezing
what existed before the pull (:func:`gc.freeze`) halves that (0.3 s and 1.0 s). Collecting less
often (a young collection every 50,000 allocations instead of 700) cut it to 0.1 s and 0.04 s, but
a 1,000,000-punch pull then peaked at 299 MB and more (goal < 250): the garbage with cycles in it
(an HTTP response and its page) waited too long. So only the freeze.

**Thread hand-offs.** A pull runs three threads: one fetches raw pages, one maps them, the caller
stores them. The fetching thread sets the pace, and it gives up the interpreter lock at every
socket read (a 1,000-transaction BioTime page is 450 KB: eight reads of 64 KB). Each time it
wants the lock back while another thread computes, it waits out the switch interval, 5 ms by
default: the 200 pages of the paced benchmark took 17.4-18.7 s inside the pull against 15.6 s
alone. A 0.5 ms interval bounds each wait at a tenth of that.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Seconds a thread computes before one waiting for the interpreter lock gets it (default 0.005).
PULL_SWITCH_INTERVAL = 0.0005

_lock = threading.Lock()
_depth = 0
_interval_before = None


@contextmanager
def tuned_for_pull() -> Iterator[None]:
    """Inside the block the collector leaves out what existed before, and threads hand the
    interpreter lock over sooner. The outermost of nested or parallel pulls tunes, and restores
    at its end, however the block ends."""
    global _depth, _interval_before
    with _lock:
        if _depth == 0:
            gc.freeze()
            _interval_before = sys.getswitchinterval()
            sys.setswitchinterval(PULL_SWITCH_INTERVAL)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                sys.setswitchinterval(_interval_before)
                gc.unfreeze()
