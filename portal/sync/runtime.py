"""The interpreter tuned for the length of a pull: fewer collector walks, quicker thread hand-offs.

**The collector.** A pull allocates millions of short-lived objects (a punch's record, row and JSON
text). Each time enough of them pile up the collector runs, and every so often it walks every
object the worker holds: the whole Django project. Measured on a pull of 10,000 people and 200,000
punches: 0.6 s of the people's 2.4 s of CPU and 2.0 s of the punches' 14-17 s went to it. Freezing
what existed before the pull (:func:`gc.freeze`) halves that (0.3 s and 1.0 s). Collecting young
garbage less often (every 50,000 allocations instead of 700) cuts the rest to a tenth, but only a
stream whose garbage is bounded may ask for it: a 1,000,000-punch pull then peaked at 299 MB
(goal < 250), its garbage with cycles in it (an HTTP response and its page) waiting too long. The
people stream asks (a few pages of an employee list); the punch stream does not.

**Thread hand-offs.** A pull runs three threads: one fetches raw pages, one maps them, the caller
stores them. The fetching thread sets the pace, and it gives up the interpreter lock at every
socket read (a 1,000-transaction BioTime page is 450 KB: eight reads of 64 KB). Each time it wants
the lock back while another thread computes, it waits out the switch interval, 5 ms by default:
the 200 pages of the paced benchmark took 17.4-18.7 s inside the pull against 15.6 s alone. A
0.5 ms interval bounds each wait at a tenth of that.
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
#: what the outermost pull found (collector thresholds, switch interval), restored at its end
_thresholds_before: tuple[int, ...] = ()
_interval_before = 0.005
#: the young thresholds the running pulls asked for
_young_asked: list[int] = []


@contextmanager
def tuned_for_pull(young: int | None = None) -> Iterator[None]:
    """Inside the block the collector leaves out what existed before, and threads hand the
    interpreter lock over sooner. The outermost of nested or parallel pulls tunes, and the last
    to end restores, however the block ends.

    ``young``: allocations between young collections while the block runs, for a stream whose
    garbage is bounded and short-lived. The largest asked for by the pulls running holds."""
    global _depth, _thresholds_before, _interval_before
    with _lock:
        if _depth == 0:
            gc.freeze()
            _thresholds_before = gc.get_threshold()
            _interval_before = sys.getswitchinterval()
            sys.setswitchinterval(PULL_SWITCH_INTERVAL)
        _depth += 1
        if young is not None:
            _young_asked.append(young)
            _set_young()
    try:
        yield
    finally:
        with _lock:
            if young is not None:
                _young_asked.remove(young)
                _set_young()
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_thresholds_before)
                sys.setswitchinterval(_interval_before)
                gc.unfreeze()


def _set_young() -> None:
    first, *older = _thresholds_before
    gc.set_threshold(max([first, *_young_asked]), *older)
