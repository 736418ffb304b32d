"""Reading the access event log page by page, in time order, resumable by a datetime cursor.

``POST /api/events/search`` with a ``datetime`` BETWEEN window (inclusive) ordered ascending.
``offset`` is not documented for this call and some servers ignore it, so it is never sent: each
next page asks again from the last datetime read (``>=``) and rows already read there are dropped
by their natural key. A page whose rows all share the datetime it started from cannot move on:
the same window is asked again with twice the ``limit`` until a later row shows up.

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
from connectors.records import DoorEventRecord, SkippedRecord

BETWEEN = 3  # the document's operator for a datetime range
HISTORY_START = datetime(2000, 1, 1, tzinfo=UTC)  # a read without a cursor starts here
WINDOW_END = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)  # "no upper bound"
MAX_LIMIT = 100_000  # more events than this at one instant: the server is not answering sanely


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


def window(start: datetime, end: datetime = WINDOW_END) -> dict:
    values = [format_query_utc(start), format_query_utc(end)]
    return {"column": "datetime", "operator": BETWEEN, "values": values}


def event_batches(
    client: BioStarClient,
    cursor: str | None,
    *,
    lookback: timedelta,
    page_size: int,
    descriptions: Mapping[int, str] | None = None,
    time_zone: str = "UTC",
) -> Iterator[EventBatch]:
    start = resume_point(cursor, lookback)
    resumed_from = parse_utc(cursor) if cursor else None
    latest = resumed_from
    limit = max(1, page_size)
    seen: dict[str, datetime] = {}  # keys read at or after ``start``
    while True:
        rows = client.search_events([window(start)], limit=limit)
        mapped = [event_from_vendor(row, descriptions, time_zone) for row in rows]
        events = [m for m in mapped if isinstance(m, DoorEventRecord)]
        skipped = [m for m in mapped if isinstance(m, SkippedRecord)]
        fresh = sorted((e for e in events if e.vendor_id not in seen), key=lambda e: e.occurred_at)
        for event in fresh:
            seen[event.vendor_id] = event.occurred_at
        if fresh and (latest is None or fresh[-1].occurred_at > latest):
            latest = fresh[-1].occurred_at
        # Nothing newer than the cursor: hand it back as given.
        cursor_out = format_query_utc(latest) if latest and latest != resumed_from else cursor
        yield EventBatch(fresh, skipped, cursor_out)
        if len(rows) < limit:
            return
        last = max((e.occurred_at for e in events), default=start)
        if last <= start:  # a full page at the instant it started from: ask for more at once
            limit *= 2
            if limit > MAX_LIMIT:
                raise errors.ProtocolError(
                    f"{client.vendor} keeps answering events at {format_query_utc(start)} only;"
                    " the event search does not move on."
                )
            continue
        start, limit = last, max(1, page_size)
        seen = {key: moment for key, moment in seen.items() if moment >= start}
