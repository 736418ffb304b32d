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
#: the thresholds before the outermost pull began, and the young thresholds pulls asked for
_default_thresholds: tuple[int, ...] = ()
_young_asked: list[int] = []


@contextmanager
def fewer_collections(young: int | None = None) -> Iterator[None]:
    """Inside the block the collector leaves out what existed before (the outermost of nested
    or parallel pulls freezes, and unfreezes at its end).

    ``young``: allocations between young collections while the block runs, for a pull whose
    garbage is bounded and short-lived (a people stream: a few pages of an employee list). The
    largest asked for by the pulls running holds; the thresholds return when the last ends."""
    global _depth, _default_thresholds
    with _lock:
        if _depth == 0:
            gc.freeze()
            _default_thresholds = gc.get_threshold()
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
                gc.set_threshold(*_default_thresholds)
                gc.unfreeze()


def _set_young() -> None:
    first, *older = _default_thresholds
    gc.set_threshold(max([first, *_young_asked]), *older)
