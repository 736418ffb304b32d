"""The read streams of WorkTime One, page by page: people, attendance as punches, locks as
doors and devices, and each lock's history. Used by :class:`WorkTimeConnector`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connectors.records import Page, SkippedRecord, split_skipped
from connectors.worktime import mapping
from connectors.worktime.client import WorkTimeClient
from connectors.worktime.cursors import START_OVER, DayCursor, ListCursor, LockHistoryCursor

EMPLOYEES, ATTENDANCE, LOCKS = "/employees", "/attendance", "/locks"
#: both listings, so soft-deleted people come whether or not a server lists them by default
PEOPLE_LISTINGS = (mapping.ACTIVE, mapping.INACTIVE)


def employee_rows(client: WorkTimeClient) -> Iterator[dict]:
    """Every employee, active then soft-deleted: for lookups that the API cannot filter."""
    for status in PEOPLE_LISTINGS:
        for page in client.pages(EMPLOYEES, {"status": status}):
            yield from page.rows


def read_people(client: WorkTimeClient, cursor: str | None) -> Iterator[Page]:
    state = ListCursor.loads(cursor, "people")
    start = PEOPLE_LISTINGS.index(state.listing) if state.listing in PEOPLE_LISTINGS else 0
    for position in range(start, len(PEOPLE_LISTINGS)):
        status = PEOPLE_LISTINGS[position]
        offset = state.offset if position == start else 0
        for page in client.pages(EMPLOYEES, {"status": status}, offset=offset):
            records, skipped = split_skipped(
                [mapping.person_from_employee(raw) for raw in page.rows]
            )
            finished = page.last and position == len(PEOPLE_LISTINGS) - 1
            if finished:
                following = START_OVER
            elif page.last:
                following = ListCursor(PEOPLE_LISTINGS[position + 1], 0).dumps()
            else:
                following = ListCursor(status, page.next_offset).dumps()
            yield Page(records, following, skipped)


def read_locks(
    client: WorkTimeClient, cursor: str | None, mapper: Callable[[Any], Any]
) -> Iterator[Page]:
    """Doors or devices: the lock list is small and read whole every time."""
    state = ListCursor.loads(cursor, "locks")
    for page in client.pages(LOCKS, offset=state.offset):
        records, skipped = split_skipped([mapper(raw) for raw in page.rows])
        yield Page(
            records,
            START_OVER if page.last else ListCursor("locks", page.next_offset).dumps(),
            skipped,
        )


def read_days(
    client: WorkTimeClient,
    path: str,
    state: DayCursor,
    overlap: timedelta,
    today: date,
    day_of: Callable[[Any], date | None],
    map_page: Callable[[list[Any]], tuple[list[Any], list[SkippedRecord]]],
    params: dict | None = None,
) -> Iterator[tuple[Page, DayCursor]]:
    """A date-filtered list from ``state``: pages with the cursor to resume after each.

    Resuming a listing in progress continues it; otherwise it starts ``overlap`` before the
    newest day stored. A day in the future (a wrong device clock) never becomes the cursor:
    it would make the next read skip everything until then.
    """
    if state.offset is not None:
        since, offset, seen = state.since, state.offset, state.seen
    else:
        since, offset, seen = (state.high - overlap if state.high else None), 0, state.high
    query = {**(params or {}), "start_date": since.isoformat() if since else None}
    for page in client.pages(path, query, offset=offset):
        records, skipped = map_page(page.rows)
        for raw in page.rows:
            day = day_of(raw)
            if day is not None and day <= today and (seen is None or day > seen):
                seen = day
        if page.last:
            following = DayCursor(seen or state.high)
        else:
            following = DayCursor(state.high, since, page.next_offset, seen)
        yield Page(records, following.dumps(), skipped), following


def read_punches(
    client: WorkTimeClient, cursor: str | None, overlap: timedelta, today: date
) -> Iterator[Page]:
    zone_name = client.options.time_zone

    def map_page(rows):
        records, skipped = [], []
        for raw in rows:
            punches, problems = mapping.punches_from_attendance(raw, zone_name)
            records += punches
            skipped += problems
        return records, skipped

    state = DayCursor.loads(cursor, "punches")
    day_of = lambda raw: mapping.attendance_day(raw, zone_name)  # noqa: E731
    for page, _ in read_days(client, ATTENDANCE, state, overlap, today, day_of, map_page):
        yield page


def read_lock_events(
    client: WorkTimeClient, cursor: str | None, overlap: timedelta, today: date
) -> Iterator[Page]:
    """Every lock's history in turn (locks in id order), each from its own newest day."""
    zone_name = client.options.time_zone
    state = LockHistoryCursor.loads(cursor)
    lock_ids = sorted(
        {
            mapping.ref(raw.get("id"))
            for page in client.pages(LOCKS)
            for raw in page.rows
            if isinstance(raw, dict) and mapping.ref(raw.get("id"))
        }
    )
    highs, done = dict(state.highs), list(state.done)
    pending = [lock for lock in lock_ids if lock not in done]
    if not pending:
        yield Page([], LockHistoryCursor(highs).dumps())
        return
    for lock_id in pending:
        resume = state.current if lock_id == state.lock else DayCursor(highs.get(lock_id))

        def map_page(rows, lock_id=lock_id):
            return split_skipped(
                [mapping.lock_event_from_history(raw, lock_id, zone_name) for raw in rows]
            )

        def day_of(raw):
            at = (
                mapping.parse_time(raw.get("timestamp"), zone_name)
                if isinstance(raw, dict)
                else None
            )
            return mapping.local_day(at, zone_name)

        for page, position in read_days(
            client, f"{LOCKS}/{lock_id}/history", resume, overlap, today, day_of, map_page
        ):
            if position.offset is None:  # this lock is complete
                if position.high:
                    highs[lock_id] = position.high
                done.append(lock_id)
                last_lock = lock_id == pending[-1]
                following = LockHistoryCursor(highs, () if last_lock else tuple(done))
            else:
                following = LockHistoryCursor(highs, tuple(done), lock_id, position)
            yield Page(page.records, following.dumps(), page.skipped)


def local_today(now: float, time_zone: str) -> date:
    return mapping.local_day(datetime.fromtimestamp(now, UTC), time_zone)
