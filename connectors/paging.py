"""Guards shared by the vendors' paging loops."""

from __future__ import annotations

from connectors import errors


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
            raise errors.ProtocolError(f"{self.vendor} paging did not end after {self.max_pages} pages.")
