"""Pages of one pull grouped so that several commit in one transaction.

A batch is what the store finds waiting for it, up to :data:`BATCH_ROWS`: the pages prepared
while the previous batch was written. When the vendor sends faster than the portal stores (a
backlog, a fast server), pages pile up and commit in large batches: every commit rewrites the
index pages it dirtied (SQLite's WAL takes whole pages), so fewer, larger commits write less per
punch. When the vendor is the slower one, each page is stored as it arrives, and the work of a
page (the server's included) is spread along the vendor's wait: a batch of 20 pages stored at
once kept both cores busy for most of a second, slowing the vendor's answers and the fetching
thread behind it (a paced PostgreSQL pull, punches: 24.4 s against 21.3 s page by page).
The batch is gathered in memory and written in one short transaction: SQLite's write lock is
never held while the vendor is being waited on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

#: The most rows a batch gathers. 20,000 keeps it in bounds: a batch holds prepared rows (raw
#: already JSON text, no connector records), and SQLite's write lock is held ~1 s a batch (web
#: writers wait; readers never do).
BATCH_ROWS = 20_000
#: Prepared pages the read-ahead thread keeps ready while a batch is written (a connector may
#: fetch a raw page or two ahead of that thread: BioTime's punches): when the store is the slower,
#: the next batch (with 8, the store waited for 12 pages to be prepared after each batch of 20:
#: PostgreSQL punch-store bench at 200,000 stored, median of 3, 28k punches/s against 37k with 20;
#: 14 pages: 41k, a later build). A prepared page of 1,000 punches holds ~0.85 MB: the
#: 1,000,000-punch pull peaked at 239 MB with 8, 242 with 14, 246 with 20 (batches of 20 pages);
#: batches of the pages waiting, 14 ahead: 136 MB on PostgreSQL, 228 MB on SQLite.
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
    waiting: Callable[[], bool] | None = None,
    size: Callable[[PreparedPage], int] = lambda page: page.rows,
    remaining: Callable[[PreparedPage], int | None] = lambda page: getattr(page, "remaining", None),
) -> Iterator[list]:
    """Group ``pages`` into lists of the pages waiting, up to ``rows`` rows.

    ``waiting``: whether the next page is ready to be taken at once
    (:meth:`connectors.paging.ReadAhead.waiting`); a batch is handed out as soon as none is, so
    pages are never held back while the next is awaited. None: pages are grouped by rows alone.

    Near the end of a read whose size the vendor told (``remaining``: rows still to come after a
    page), a batch is also handed out once it holds as many rows as are still to come: the
    batches shrink by halves to the last page, so what is left to store when the vendor's last
    page arrives is that page, not a whole batch.

    When ``pages`` raises an ordinary exception (the vendor failed, paused us), the pages read
    so far are handed out first and the exception follows: what was read is stored, as it was
    page by page.
    """
    batch: list = []
    count = 0
    try:
        for page in pages:
            batch.append(page)
            count += size(page)
            left = remaining(page)
            if (
                count >= rows
                or (left is not None and count >= left)
                or (waiting is not None and not waiting())
            ):
                yield batch
                batch, count = [], 0
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch
