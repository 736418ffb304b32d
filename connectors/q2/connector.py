"""OpenTimeClock Q2 as a Workgate connector: users and time cards, read only.

Cursors are opaque JSON to callers. A listing in progress carries its window and the
``nextRecord`` to go on with (passed back verbatim: the document does not say it is an offset).
A completed listing leaves:

- people: the newest ``updatedDateTime`` seen (server time); the next run asks for users updated
  since then, less ``PEOPLE_LOOKBACK``.
- time cards: Q2 filters cards only by clock-in time and has no "updated since", so the next run
  re-reads clock-ins from the newest job clock-in seen less ``TIME_CARD_LOOKBACK`` (adjustments
  and PTO entered a day or a weekend late), and further back to the oldest card still clocked in,
  so an open card is read again on every run until it has its clock-out (bounded by
  ``OPEN_CARD_HORIZON``: a card open longer than that is given up on). The window has no end, so
  PTO booked ahead comes every run until it is in the past.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import ClassVar

from connectors import cursors, errors
from connectors.base import Connector
from connectors.q2 import mapping
from connectors.q2.client import QUERY_TIME_CARDS, QUERY_USERS, Q2Client
from connectors.records import (
    Capabilities,
    Page,
    PersonRecord,
    ServerIdentity,
    SkippedRecord,
    TimeCardRecord,
)

ALL = {"userFullName": "ALL USERS", "departmentName": "ALL DEPARTMENTS"}
EARLIEST = "2000-01-01 00:00:00"
LATEST = "2099-12-31 23:59:59"  # the document always sends an end; cards do not start in the future


@dataclass(frozen=True)
class Q2Cursor:
    high: datetime | None = None  # newest updatedDateTime (people) / job clock-in (time cards)
    open: datetime | None = None  # oldest clock-in of a card still clocked in
    since: datetime | None = None  # window start of the listing in progress
    next: str | None = None  # its nextRecord; None when the last listing completed

    def dumps(self) -> str:
        iso = lambda value: value.isoformat() if value else None  # noqa: E731
        return json.dumps(
            {
                "high": iso(self.high),
                "open": iso(self.open),
                "since": iso(self.since),
                "next": self.next,
            },
            sort_keys=True,
        )

    @classmethod
    def loads(cls, cursor: str | None) -> Q2Cursor:
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
            when = lambda key: datetime.fromisoformat(data[key]) if data.get(key) else None  # noqa
            following = str(data["next"]) if data.get("next") else None
            return cls(when("high"), when("open"), when("since"), following)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise cursors.unreadable("Q2", cursor) from None


class Q2Connector(Connector):
    kind = "q2"
    capabilities = Capabilities(reads=frozenset({"people", "time_cards"}))
    PEOPLE_LOOKBACK: ClassVar[timedelta] = timedelta(hours=2)  # covers the DST hour of server time
    #: Friday's adjustment entered on Monday
    TIME_CARD_LOOKBACK: ClassVar[timedelta] = timedelta(days=3)
    OPEN_CARD_HORIZON: ClassVar[timedelta] = timedelta(days=31)
    #: a clock-in this far past the card's own save time is a typo, not the newest clock-in
    FUTURE_TOLERANCE: ClassVar[timedelta] = timedelta(days=1)

    def __init__(
        self, base_url, credentials, options=None, *, transport=None, sleep=time.sleep, **kwargs
    ):
        super().__init__(base_url, credentials, options, transport=transport, sleep=sleep)
        company_id = str(self.credentials.get("company_id") or "").strip()
        token = str(self.credentials.get("developer_token") or "").strip()
        if not (company_id and token):
            raise errors.AuthenticationError(
                "The Q2 account needs a company ID and a developer token."
            )
        self.client = Q2Client(
            base_url,
            company_id,
            token,
            options=self.options,
            transport=transport,
            sleep=self.sleep,
            **kwargs,
        )

    def check(self) -> ServerIdentity:
        params = {**ALL, "role": "ALL ROLES", "nextRecord": "0", "maxRecords": "1"}
        answer = self.client.command(QUERY_USERS, params)
        company = self.client.company_id
        return ServerIdentity(
            vendor="OpenTimeClock Q2",
            server=self.client.base_url,
            version="q2 api",
            user=company,
            details={"company_id": company, "more_users": answer["nextRecord"] != "-1"},
        )

    # -- people -----------------------------------------------------------------------------
    def read_people(self, cursor: str | None = None) -> Iterator[Page]:
        state = Q2Cursor.loads(cursor)
        if state.next:
            since = state.since
        else:
            since = state.high - self.PEOPLE_LOOKBACK if state.high else None
        params = {**ALL, "role": "ALL ROLES"}
        if since:
            params["updatedDateTimeFrom"] = mapping.format_local(since, mapping.SERVER_TIME_ZONE)
            params["updatedDateTimeTo"] = LATEST
        high = state.high
        for page in self.client.pages(QUERY_USERS, params, next_record=state.next or "0"):
            for raw in page.data:
                seen = mapping.updated_at(raw)
                if seen and (high is None or seen > high):
                    high = seen
            found = [mapping.person_from_user(raw) for raw in page.data]
            yield Page.of(found, self._cursor(Q2Cursor(high), since, page.following))

    def find_person(self, code: str, *, email: str = "") -> PersonRecord | None:
        """Q2 cannot filter by employee number: the users are read and compared here."""
        for page in self.read_people():
            for person in page.records:
                if person.code == code:
                    return person
        return None

    # -- time cards -------------------------------------------------------------------------
    def read_time_cards(self, cursor: str | None = None) -> Iterator[Page]:
        state = Q2Cursor.loads(cursor)
        since = state.since if state.next else self._window_start(state)
        zone_name = self.options.time_zone
        params = {
            **ALL,
            "dateTimeFrom": mapping.format_local(since, zone_name) if since else EARLIEST,
            "dateTimeTo": LATEST,
            "returnColumns": "ALL COLUMNS",
        }
        # a run resumed mid-listing keeps what it had gathered; a new one starts from the old high
        progress = Q2Cursor(state.high, state.open if state.next else None)
        for page in self.client.pages(QUERY_TIME_CARDS, params, next_record=state.next or "0"):
            records, skipped = [], []
            for raw in page.data:
                card = mapping.time_card_from_row(raw, zone_name)
                if isinstance(card, SkippedRecord):
                    skipped.append(card)
                    continue
                records.append(card)
                progress = self._advance(progress, card, raw)
            yield Page(records, self._cursor(progress, since, page.following), skipped)

    def _window_start(self, state: Q2Cursor) -> datetime | None:
        if state.high is None:
            return None
        start = state.high - self.TIME_CARD_LOOKBACK
        if state.open is not None:
            start = min(start, max(state.open, state.high - self.OPEN_CARD_HORIZON))
        return start

    def _advance(self, progress: Q2Cursor, card: TimeCardRecord, raw: Mapping) -> Q2Cursor:
        if mapping.is_open(card) and (progress.open is None or card.clock_in < progress.open):
            progress = replace(progress, open=card.clock_in)
        if card.entry_type != "job":
            return progress  # PTO is booked ahead: its start says nothing about how far we are
        saved = mapping.updated_at(raw, "updateDateTime")
        saved = saved or mapping.updated_at(raw, "createdDateTime")
        plausible = saved is None or card.clock_in <= saved + self.FUTURE_TOLERANCE
        if plausible and (progress.high is None or card.clock_in > progress.high):
            progress = replace(progress, high=card.clock_in)
        return progress

    @staticmethod
    def _cursor(progress: Q2Cursor, since: datetime | None, following: str) -> str | None:
        if following != "-1":
            return replace(progress, since=since, next=following).dumps()
        done = replace(progress, since=None, next=None)
        return done.dumps() if done.high or done.open else None

    def close(self) -> None:
        self.client.close()
