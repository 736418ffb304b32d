"""The worker's own objects left out of the garbage collector's walks while a pull runs.

A pull allocates millions of short-lived objects (a punch's record, row and JSON text). Each
time enough of them pile up the collector runs, and every so often it walks every object the
worker holds: the whole Django project. Measured on a pull of 10,000 people and 200,000
punches: 0.6 s of the people's 2.4 s of CPU and 2.0 s of the punches' 14-17 s went to it.
Freezing what existed before the pull (:func:`gc.freeze`) halves that (0.3 s and 1.0 s).

Collecting less often (a young collection every 50,000 allocations instead of 700) cut it to
0.1 s and 0.04 s, but a 1,000,000-punch pull then peaked at 299 MB and more (goal < 250): the
garbage with cycles in it (an HTTP response and its page) waited too long. So only the freeze.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Inside the block the collector leaves out what existed before (the outermost of nested
    or parallel pulls freezes, and unfreezes at its end)."""
    global _depth
    with _lock:
        if _depth == 0:
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
