"""Guards shared by the vendors' paging loops."""

from __future__ import annotations

import queue
import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from connectors import errors

_END = object()


def prefetch(items: Iterable, depth: int = 4) -> ReadAhead:
    """Iterate ``items`` in a helper thread, keeping up to ``depth`` ready ahead of the caller.

    Waiting on a vendor then overlaps with whatever the caller does with the previous page (map
    it, store it). Exceptions surface to the caller in order; if the caller stops early, the
    helper stops after the item it is on. Memory stays bounded by ``depth``.
    """
    return ReadAhead(items, depth)


class ReadAhead(Iterator):
    """What :func:`prefetch` returns: the items in order, and whether the next one is in hand
    (:meth:`waiting`), so that a caller gathering items never waits with some in hand."""

    def __init__(self, items: Iterable, depth: int):
        self._ready: queue.Queue = queue.Queue(maxsize=depth)
        # A function, not a method: a generator holding ``self`` would make a reference cycle,
        # and the garbage collector could then finalize it on the helper thread itself.
        self._items = _deliver(items, self._ready)

    def __next__(self):
        return next(self._items)

    def waiting(self) -> bool:
        """Whether the next item (or the end, or an error) is ready to be taken at once."""
        return not self._ready.empty()

    def close(self) -> None:
        self._items.close()


def _deliver(items: Iterable, ready: queue.Queue) -> Iterator:
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the caller, who decides
            put((_END, exc))

    helper = threading.Thread(target=produce, name="prefetch", daemon=True)
    helper.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        if helper is not threading.current_thread():  # finalized there, a join would raise
            helper.join(timeout=60)


class SeenKeys:
    """The record keys one read has delivered, held compactly.

    A read in id order (BioTime's transactions) sees whole-number ids one after another: those
    are kept as runs of consecutive numbers (one run, however long the read), where a set of a
    million id strings took ~100 MB. Any other key ("007", "a-1") goes into a plain set.
    """

    def __init__(self):
        self._starts: list[int] = []  # sorted; run i is starts[i]..ends[i], runs never touch
        self._ends: list[int] = []
        self._other: set[str] = set()

    def add(self, key: str) -> bool:
        """Remember ``key``; False when it was delivered before."""
        if not (key.isascii() and key.isdigit()) or (key[0] == "0" and key != "0"):
            if key in self._other:
                return False
            self._other.add(key)
            return True
        number = int(key)
        starts, ends = self._starts, self._ends
        if ends and number == ends[-1] + 1:  # the next id of a read in id order: the last run grows
            ends[-1] = number
            return True
        i = bisect_right(starts, number) - 1  # the run starting at or before it
        if i >= 0 and number <= ends[i]:
            return False
        joins_before = i >= 0 and ends[i] == number - 1
        joins_after = i + 1 < len(starts) and starts[i + 1] == number + 1
        if joins_before and joins_after:  # fills the gap between two runs
            ends[i] = ends[i + 1]
            del starts[i + 1], ends[i + 1]
        elif joins_before:
            ends[i] = number
        elif joins_after:
            starts[i + 1] = number
        else:
            starts.insert(i + 1, number)
            ends.insert(i + 1, number)
        return True


class LoopGuard:
    """Stops a paging loop that the server sends round in circles (a ``next`` seen before)."""

    def __init__(self, vendor: str, max_pages: int = 1_000_000):
        self.vendor = vendor
        self.max_pages = max_pages
        self.seen: set[str] = set()

    def check(self, marker: str) -> None:
        if marker in self.seen:
            raise errors.ProtocolError(
                f"{self.vendor} sent the same page twice ({marker}); stopped to avoid a loop."
            )
        self.seen.add(marker)
        if len(self.seen) > self.max_pages:
            raise errors.ProtocolError(
                f"{self.vendor} paging did not end after {self.max_pages} pages."
            )


def count_shortfall(
    vendor: str, path: str, reported: int | None, delivered: int
) -> tuple[str, ...]:
    """A note when the vendor's ``count`` promised more rows than its pages delivered."""
    if reported is None or delivered >= reported:
        return ()
    return (
        f"{vendor} reported {reported} rows for {path} but its pages delivered {delivered}; "
        "the missing rows are read again on the next pull.",
    )
