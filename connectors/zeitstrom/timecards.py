"""Time cards from Zeitstrom's timespans: ``GET /api/v2/timestamps/timespans/`` by check-in day.

The real list filters by ``daterange`` (check-in days, ``YYYY-MM-DD|YYYY-MM-DD``) and has no
change marker, so the stream reads a window of days: from the cursor's ``start`` to the day after
tomorrow (the server's zone may run ahead of ours). When a listing completes, the next ``start``
is the earlier of REREAD_DAYS before today (late corrections, sessions across midnight) and the
check-in day of the oldest session still open (its check-out must come back), but never more
than FOLLOW_OPEN_DAYS back: a session left open longer is no longer followed.

Rows are asked for with ``verbosity=detail``: the default compact rows carry no employee. A
server whose detail rows still do not name the employee is read one employee at a time
(``employee_ids=<one>``), which the reader remembers for the connector's life.

Cursor text (JSON): ``{"start": "2030-03-11"}``, plus ``"listing"`` (its days, offset, the
oldest open day seen and, one employee at a time, whose rows) while a listing is in progress.
The caller de-duplicates on the timespan id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from connectors import errors
from connectors.records import Page, SkippedRecord
from connectors.timezones import zone
from connectors.zeitstrom import mapping
from connectors.zeitstrom.client import EMPLOYEES, MAX_LIMIT, TIMESPANS, ZeitstromClient

FIRST_DAY = date(2000, 1, 1)  # a first pull reads everything from here
REREAD_DAYS = 2
FOLLOW_OPEN_DAYS = 31


@dataclass(frozen=True)
class DayCursor:
    start: date | None = None  # first check-in day the next listing reads (None: everything)
    first: date | None = None  # a listing in progress: its daterange …
    last: date | None = None
    offset: int | None = None  # … where to go on …
    open_from: date | None = None  # … the oldest open session's day it has seen …
    employee: str | None = None  # … and, one employee at a time, whose rows it is on

    def dumps(self) -> str:
        body: dict = {"start": _day_text(self.start)}
        if self.offset is not None:
            body["listing"] = {
                "from": _day_text(self.first),
                "to": _day_text(self.last),
                "offset": self.offset,
                "open_from": _day_text(self.open_from),
                "employee": self.employee,
            }
        return json.dumps(body, sort_keys=True)

    @classmethod
    def loads(cls, text: str | None) -> DayCursor:
        if not text:
            return cls()
        try:
            body = json.loads(text)
            listing = body.get("listing") or {}
            offset = listing.get("offset")
            return cls(
                _day(body.get("start")),
                _day(listing.get("from")),
                _day(listing.get("to")),
                int(offset) if offset is not None else None,
                _day(listing.get("open_from")),
                listing.get("employee") or None,
            )
        except (ValueError, TypeError, AttributeError):
            raise errors.ValidationError(
                f"Unreadable Zeitstrom time cards cursor {text!r}", field="cursor"
            ) from None


def _day_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass
class _Listing:
    """One read's days and what it has seen so far."""

    start: date | None  # the cursor's start, kept until the listing completes
    first: date
    last: date
    open_from: date | None = None

    def params(self, **more) -> dict:
        days = f"{self.first.isoformat()}|{self.last.isoformat()}"
        return {"daterange": days, "verbosity": "detail", **more}

    def page(self, found: list, following: Callable[[], DayCursor], time_zone: str) -> Page:
        """The page of ``found``; ``following`` makes its cursor once the page is counted."""
        records, skipped = [], []
        local = zone(time_zone)
        for mapped in found:
            if isinstance(mapped, SkippedRecord):
                skipped.append(mapped)
                continue
            records.append(mapped)
            if mapped.clock_out is None and mapped.clock_in is not None:
                day = mapped.clock_in.astimezone(local).date() - timedelta(days=1)
                self.open_from = day if self.open_from is None else min(self.open_from, day)
        return Page(records, following().dumps(), skipped)

    def in_progress(self, offset: int, employee: str | None = None) -> DayCursor:
        return DayCursor(self.start, self.first, self.last, offset, self.open_from, employee)

    def done(self, today: date) -> DayCursor:
        start = today - timedelta(days=REREAD_DAYS)
        if self.open_from is not None:
            start = min(start, max(self.open_from, today - timedelta(days=FOLLOW_OPEN_DAYS)))
        return DayCursor(start)


class TimeCardReader:
    """Reads the time cards stream; kept by the connector so what it learns about the server
    (detail rows without the employee) is learnt once."""

    def __init__(self, client: ZeitstromClient, time_zone: str):
        self.client = client
        self.time_zone = time_zone
        self.one_employee_at_a_time = False

    def read(self, cursor: str | None, today: date) -> Iterator[Page]:
        state = DayCursor.loads(cursor)
        if state.offset is not None and state.first and state.last:  # resume a listing
            listing = _Listing(state.start, state.first, state.last, state.open_from)
            offset = max(0, state.offset - min(self.client.options.page_size, MAX_LIMIT))
        else:
            first = state.start or FIRST_DAY
            listing = _Listing(state.start, first, today + timedelta(days=2))
            offset = 0
        if state.employee is not None or self.one_employee_at_a_time:
            yield from self._by_employee(listing, today, state.employee, offset)
            return
        for page in self.client.pages(TIMESPANS, listing.params(), offset=offset):
            rows = [r for r in page.results if isinstance(r, Mapping)]
            if rows and not any(mapping.timespan_employee(r) for r in rows):
                self.one_employee_at_a_time = True  # detail rows that do not say whose
                yield from self._by_employee(listing, today, None, 0)
                return
            found = [mapping.time_card_from_timespan(raw) for raw in page.results]
            if page.last:
                following = partial(listing.done, today)
            else:
                following = partial(listing.in_progress, page.resume_offset)
            yield listing.page(found, following, self.time_zone)

    def _by_employee(
        self, listing: _Listing, today: date, resume_at: str | None, offset: int
    ) -> Iterator[Page]:
        """Every employee's rows in turn (ids in order, so a cursor can say where it was)."""
        ids = sorted(
            {
                mapping.text(row.get("id"))
                for page in self.client.pages(EMPLOYEES)
                for row in page.results
                if isinstance(row, Mapping) and mapping.text(row.get("id"))
            }
        )
        if resume_at is not None:
            ids = [employee for employee in ids if employee >= resume_at]
            if not ids or ids[0] != resume_at:
                offset = 0  # that employee is gone: start the next one from its beginning
        if not ids:
            yield Page([], listing.done(today).dumps())
            return
        for number, employee in enumerate(ids):
            params = listing.params(employee_ids=employee)
            start_at = offset if number == 0 else 0
            for page in self.client.pages(TIMESPANS, params, offset=start_at):
                found = [mapping.time_card_from_timespan(raw, employee) for raw in page.results]
                if page.last and number == len(ids) - 1:
                    following = partial(listing.done, today)
                elif page.last:
                    following = partial(listing.in_progress, 0, ids[number + 1])
                else:
                    following = partial(listing.in_progress, page.resume_offset, employee)
                yield listing.page(found, following, self.time_zone)
