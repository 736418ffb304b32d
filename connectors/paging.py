"""Guards shared by the vendors' paging loops."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

from connectors import errors

_END = object()


def prefetch(items: Iterable, depth: int = 4) -> Iterator:
    """Iterate ``items`` in a helper thread, keeping up to ``depth`` ready ahead of the caller.

    Waiting on a vendor then overlaps with whatever the caller does with the previous page (map
    it, store it). Exceptions surface to the caller in order; if the caller stops early, the
    helper stops after the item it is on. Memory stays bounded by ``depth``.
    """
    ready: queue.Queue = queue.Queue(maxsize=depth)
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
        helper.join(timeout=60)


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
