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
from dataclasses import dataclass, field

#: The rows a batch gathers. Each batch rewrites the person index's leaf of every person in it
#: (5,000 people: ~20 MB) whatever its size, so the larger the batch the less disk per punch:
#: on the punch-store bench 20,000 rows wrote ~2.9 KB a punch at 100,000 stored (50,000 rows:
#: ~2.2 KB). 20,000 keeps the rest in bounds: a batch holds prepared rows (raw already JSON
#: text, no connector records), and SQLite's write lock is held ~1 s a batch (web writers
#: wait; readers never do).
BATCH_ROWS = 20_000
#: A slow vendor's pages wait no longer than this (plus one page) before they are stored.
BATCH_SECONDS = 2.0
#: Prepared pages the read-ahead thread keeps ready while a batch is written (a connector may
#: fetch a raw page or two ahead of that thread: BioTime's punches): most of a batch, so that most
#: of the next batch is prepared while one is stored (with 8, the store waited for 12 pages to be
#: prepared after each batch: PostgreSQL punch-store bench at 200,000 stored, median of 3, 28k
#: punches/s against 37k with 20; 14 pages: 41k, a later build). A prepared page of 1,000 punches
#: holds ~0.85 MB: the 1,000,000-punch pull peaked at 239 MB with 8, 242 with 14, 246 with 20.
PAGES_AHEAD = 14


def page_rows(page) -> int:
    """A connector page's size: its records and the records it skipped."""
    return len(page.records) + len(page.skipped)


@dataclass(slots=True)
class PreparedPage:
    """What a batch keeps of a connector page: the writer's prepared rows and the page's notes,
    none of its records (their raw dicts are JSON text by now, or gone)."""

    prepared: object
    cursor: str | None
    rows: int
    skipped_reasons: list[str] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    #: the records' vendor ids, kept only when the pull tells what is gone
    vendor_ids: list[str] = field(default_factory=list)
    #: rows the vendor has still to send after this page, by its count (None: not known)
    remaining: int | None = None


def prepared_pages(writer, pages: Iterable, *, keep_ids: bool = False) -> Iterator[PreparedPage]:
    """Each connector page made storable by ``writer.prepare`` (no database access, so this may
    run in the read-ahead thread once ``writer.load()`` has)."""
    for page in pages:
        yield PreparedPage(
            writer.prepare(page.records),
            page.cursor,
            page_rows(page),
            [s.reason for s in page.skipped],
            page.notes,
            [r.vendor_id for r in page.records] if keep_ids else [],
            page.remaining,
        )


def batches(
    pages: Iterable,
    *,
    rows: int = BATCH_ROWS,
    seconds: float = BATCH_SECONDS,
    size: Callable[[PreparedPage], int] = lambda page: page.rows,
    clock: Callable[[], float] = time.monotonic,
    remaining: Callable[[PreparedPage], int | None] = lambda page: getattr(page, "remaining", None),
) -> Iterator[list]:
    """Group ``pages`` into lists of at least ``rows`` rows or ``seconds`` since their first page.

    Near the end of a read whose size the vendor told (``remaining``: rows still to come after a
    page), a batch is also handed out once it holds as many rows as are still to come: the
    batches shrink by halves to the last page, so what is left to store when the vendor's last
    page arrives is that page, not a whole batch (a 20,000-punch batch: ~0.4 s of a paced pull
    spent after the vendor had answered).

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
            left = remaining(page)
            if count >= rows or (left is not None and count >= left) or clock() - began >= seconds:
                yield batch
                batch, count = [], 0
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch
