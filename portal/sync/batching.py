"""Pages of one pull grouped so that several commit in one transaction.

Every commit writes each index page it dirtied to the WAL again. A page of 1,000 punches lands on
1,000 different people's leaves of the (person, punched_at) index, so committing page by page
rewrites about one 4 KB index page per punch; a batch holding several punches of each person
rewrites each leaf once for all of them. The batch is gathered in memory and written in one short
transaction: SQLite's write lock is never held while the vendor is being waited on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

#: A day of a 5,000-person company's punches (4 each): its leaves of the person index are
#: written once per batch instead of once per page. ~40 MB of records in memory at most.
BATCH_ROWS = 20_000
#: A slow vendor's pages wait no longer than this (plus one page) before they are stored.
BATCH_SECONDS = 2.0


def page_rows(page) -> int:
    """A connector page's size: its records and the records it skipped."""
    return len(page.records) + len(page.skipped)


def batches(
    pages: Iterable,
    *,
    rows: int = BATCH_ROWS,
    seconds: float = BATCH_SECONDS,
    size: Callable[[object], int] = page_rows,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[list]:
    """Group ``pages`` into lists of at least ``rows`` rows or ``seconds`` since their first page.

    When ``pages`` raises an ordinary exception (the vendor failed, paused us), the pages read
    so far are handed out first and the exception follows: what was read is stored, as it was
    page by page.
    """
    batch: list = []
    count, began = 0, 0.0
    try:
        for page in pages:
            if not batch:
                began = clock()
            batch.append(page)
            count += size(page)
            if count >= rows or clock() - began >= seconds:
                yield batch
                batch, count = [], 0
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch
