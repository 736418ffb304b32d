"""Reading the access event log page by page, in time order, resumable by a datetime cursor.

``POST /api/events/search`` with a ``datetime`` BETWEEN window ordered ascending. Instead of a
growing ``offset`` (which the server pays for by walking the log), each next page asks again
from the last datetime seen, skipping with ``offset`` only the rows already read at exactly that
datetime. Rows seen twice (a server that orders ties differently) are dropped by their key.

The cursor is the latest event ``datetime`` read (ISO, UTC, milliseconds). A resume re-reads from
``cursor − lookback`` so events a device uploads late still arrive; the caller de-duplicates on
``vendor_id``. A caller may also pass any ISO datetime as a first cursor to bound the first read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors import errors
from connectors.biostar.client import BioStarClient
from connectors.biostar.event_mapping import event_from_vendor
from connectors.biostar.scalars import format_query_utc, parse_utc
from connectors.paging import LoopGuard
from connectors.records import DoorEventRecord, SkippedRecord

BETWEEN = 3  # the document's operator for a datetime range
HISTORY_START = datetime(2000, 1, 1, tzinfo=UTC)  # a read without a cursor starts here
WINDOW_END = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)  # "no upper bound"


@dataclass(frozen=True)
class EventBatch:
    events: list[DoorEventRecord]
    skipped: list[SkippedRecord]
    cursor: str | None


def resume_point(cursor: str | None, lookback: timedelta) -> datetime:
    if not cursor:
        return HISTORY_START
    moment = parse_utc(cursor)
    if moment is None:
        raise errors.ValidationError(
            f"BioStar X event cursor {cursor!r} is not an ISO date-time.", field="cursor"
        )
    return max(HISTORY_START, moment - lookback)


def window(start: datetime) -> dict:
    values = [format_query_utc(start), format_query_utc(WINDOW_END)]
    return {"column": "datetime", "operator": BETWEEN, "values": values}


def event_batches(
    client: BioStarClient,
    cursor: str | None,
    *,
    lookback: timedelta,
    page_size: int,
    descriptions: Mapping[int, str] | None = None,
) -> Iterator[EventBatch]:
    start = resume_point(cursor, lookback)
    resumed_from = parse_utc(cursor) if cursor else None
    latest = resumed_from
    ties = 0  # rows already read whose datetime equals ``start``
    seen: dict[str, datetime] = {}
    guard = LoopGuard(client.vendor)
    while True:
        rows = client.search_events([window(start)], limit=page_size, offset=ties)
        mapped = [event_from_vendor(row, descriptions) for row in rows]
        events = [m for m in mapped if isinstance(m, DoorEventRecord)]
        skipped = [m for m in mapped if isinstance(m, SkippedRecord)]
        if events:
            guard.check(f"{events[0].vendor_id}..{events[-1].vendor_id}#{len(rows)}")
        fresh = sorted((e for e in events if e.vendor_id not in seen), key=lambda e: e.occurred_at)
        for event in fresh:
            seen[event.vendor_id] = event.occurred_at
        if fresh and (latest is None or fresh[-1].occurred_at > latest):
            latest = fresh[-1].occurred_at
        # Nothing newer than the cursor: hand it back as given.
        cursor_out = format_query_utc(latest) if latest and latest != resumed_from else cursor
        if len(rows) < page_size:
            yield EventBatch(fresh, skipped, cursor_out)
            return
        yield EventBatch(fresh, skipped, cursor_out)
        last = max((e.occurred_at for e in events), default=None)
        if last is None:  # a full page of unreadable rows: step over it by offset
            ties += len(rows)
            continue
        at_last = sum(1 for e in events if e.occurred_at == last)
        ties = ties + at_last if last == start else at_last
        start = last
        seen = {key: moment for key, moment in seen.items() if moment >= start}
