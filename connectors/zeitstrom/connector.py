"""Zeitstrom as a Workgate connector: employees (to match people), timespans as time cards, and
check-ins/check-outs pushed from the other clocks as app timestamps.

Time cards come from the real timespans list by check-in day (see ``timecards.py``). The people
cursor (opaque JSON to callers) follows ``modified_at``, the server's own clock. The list is
ordered by creation, not by ``modified_at``, so the newest ``modified_at`` only becomes the
cursor once a listing is complete; the pages before carry the listing in progress (filter and
offset) instead. A server that ignores ``modified_at__gte`` (not in the document) just gives the
full listing every time: slower, still right.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors import cursors, errors
from connectors.base import Connector
from connectors.records import (
    Capabilities,
    Page,
    PersonRecord,
    PunchRecord,
    ServerIdentity,
)
from connectors.timezones import zone
from connectors.zeitstrom import mapping, timecards
from connectors.zeitstrom.client import (
    APP_TIMESTAMPS,
    EMPLOYEES,
    MAX_LIMIT,
    TIMESPANS,
    ZeitstromClient,
)


@dataclass(frozen=True)
class ListCursor:
    """Where a modified_at-driven stream stands.

    ``high``: newest ``modified_at`` stored. ``since``/``offset``: a listing still in progress
    (filter sent and where to go on); None when the last listing completed.
    """

    high: datetime | None = None
    since: datetime | None = None
    offset: int | None = None

    def dumps(self) -> str:
        return json.dumps(
            {
                "high": mapping.format_time(self.high),
                "since": mapping.format_time(self.since),
                "offset": self.offset,
            },
            sort_keys=True,
        )

    @classmethod
    def loads(cls, cursor: str | None) -> ListCursor:
        data = cursors.load(cursor, "Zeitstrom")  # a bare timestamp is read as high
        high, since = mapping.parse_time(data.get("high")), mapping.parse_time(data.get("since"))
        if data.get("high") and high is None:
            raise cursors.unreadable("Zeitstrom", cursor)
        return cls(high, since, cursors.offset(data.get("offset")))


class ZeitstromConnector(Connector):
    kind = "zeitstrom"
    capabilities = Capabilities(
        reads=frozenset({"people", "time_cards"}),
        writes=frozenset({"punches"}),  # no "people": Zeitstrom's people are matched, not managed
    )
    #: re-read this much before the stored ``modified_at``: same-second rows and rows whose
    #: transaction committed after a later one was already visible
    LOOKBACK: ClassVar[timedelta] = timedelta(minutes=10)
    #: a lost answer to a check-out is looked for among sessions that started this long before
    LONGEST_SESSION: ClassVar[timedelta] = timedelta(hours=36)

    def __init__(
        self,
        base_url,
        credentials,
        options=None,
        *,
        transport=None,
        sleep=time.sleep,
        clock: Callable[[], float] = time.time,
        **kwargs,
    ):
        super().__init__(base_url, credentials, options, transport=transport, sleep=sleep)
        self.clock = clock
        token = str(self.credentials.get("token") or "").strip()
        if not token:
            raise errors.AuthenticationError(
                "The Zeitstrom account has no API token; add one in its settings."
            )
        self.client = ZeitstromClient(
            base_url, token, options=self.options, transport=transport, sleep=self.sleep, **kwargs
        )
        self.time_cards = timecards.TimeCardReader(self.client, self.options.time_zone)

    def check(self) -> ServerIdentity:
        body = self.client.get_json(EMPLOYEES, {"limit": 1})
        count = body.get("count") if isinstance(body, Mapping) else None
        return ServerIdentity(
            vendor="Zeitstrom",
            server=self.client.base_url,
            version="api/v2",
            details={"employees": count},
        )

    # -- reads ------------------------------------------------------------------------------
    def read_people(self, cursor: str | None = None) -> Iterator[Page]:
        return self._read(EMPLOYEES, cursor, mapping.person_from_employee)

    def read_time_cards(self, cursor: str | None = None) -> Iterator[Page]:
        zone_name = self.options.time_zone
        today = datetime.fromtimestamp(self.clock(), UTC).astimezone(zone(zone_name)).date()
        return self.time_cards.read(cursor, today)

    def _read(self, path: str, cursor: str | None, mapper: Callable[[Any], Any]) -> Iterator[Page]:
        state = ListCursor.loads(cursor)
        if state.offset is not None:  # resume a listing in progress, re-reading its last page
            since = state.since
            offset = max(0, state.offset - min(self.client.options.page_size, MAX_LIMIT))
        else:
            since = state.high - self.LOOKBACK if state.high else None
            offset = 0
        params = {"modified_at__gte": mapping.format_time(since)} if since else {}
        high = state.high
        for page in self.client.pages(path, params, offset=offset):
            for raw in page.results:
                seen = mapping.modified_at(raw)
                if seen is not None and (high is None or seen > high):
                    high = seen
            if page.last:
                following = ListCursor(high) if high else None
            else:
                following = ListCursor(state.high, since, page.resume_offset)
            found = [mapper(raw) for raw in page.results]
            yield Page.of(found, following.dumps() if following else None)

    # -- people lookups (matching only; Zeitstrom people are not written) --------------------
    def find_person(self, code: str, *, email: str = "") -> PersonRecord | None:
        """The employee whose personnel number (``accounting_number``), else ``external_id``, is
        ``code``. Compared here too: a server that ignores a filter returns everyone."""
        for key in ("accounting_number", "external_id"):
            for page in self.client.pages(EMPLOYEES, {key: code}):
                for raw in page.results:
                    if isinstance(raw, Mapping) and mapping.text(raw.get(key)) == code:
                        person = mapping.person_from_employee(raw)
                        if isinstance(person, PersonRecord):
                            return person
        return None

    def get_person(self, vendor_id: str) -> PersonRecord | None:
        """One employee by UUID, archived or not (some servers hide archived ones from lists)."""
        try:
            raw = self.client.get_json(f"{EMPLOYEES}{vendor_id}/")
        except errors.NotFoundError:
            return None
        person = mapping.person_from_employee(raw)
        return person if isinstance(person, PersonRecord) else None

    # -- punches ----------------------------------------------------------------------------
    def push_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str
    ) -> PunchRecord:
        """Check the employee in or out at ``occurred_at`` (the document's app timestamps).

        Idempotent: when the server refuses because the state is already so ("already checked
        in", "not checked in", an overlap) and a session with exactly this time exists, the
        earlier delivery got through and its answer was lost: that session is returned.
        """
        if direction not in mapping.INTENT_FOR_DIRECTION:
            raise errors.ValidationError(
                f"Zeitstrom records only check-ins and check-outs, not {direction!r}.",
                field="direction",
            )
        if occurred_at.tzinfo is None:  # a naive time is local to the account's zone
            occurred_at = occurred_at.replace(tzinfo=zone(self.options.time_zone))
        body = mapping.app_timestamp_body(person_vendor_id, occurred_at, direction)
        try:
            answer = self.client.post_json(APP_TIMESTAMPS, body)
        except errors.ConflictError:
            earlier = self._recorded_session(person_vendor_id, occurred_at, body["intent"])
            if earlier is None:
                raise
            answer = earlier
        if not isinstance(answer, Mapping):
            raise errors.ProtocolError("Zeitstrom answered an app timestamp with no JSON object.")
        return mapping.punch_from_app_timestamp(answer, direction, occurred_at)

    def send_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str, *, note: str = ""
    ) -> PunchRecord:
        """An app timestamp (the document has no field for a note: ``note`` is not sent)."""
        return self.push_punch(person_vendor_id, occurred_at, direction)

    def find_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str
    ) -> PunchRecord | None:
        """The session whose check-in (or check-out) is exactly ``occurred_at``, read from the
        employee's timespans."""
        if direction not in mapping.INTENT_FOR_DIRECTION:
            return None
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=zone(self.options.time_zone))
        intent = mapping.INTENT_FOR_DIRECTION[direction]
        found = self._recorded_session(person_vendor_id, occurred_at, intent)
        return (
            None
            if found is None
            else mapping.punch_from_app_timestamp(found, direction, occurred_at)
        )

    def _recorded_session(self, employee_id: str, when: datetime, intent: str) -> dict | None:
        time_key = "checkin_time" if intent == "checkin" else "checkout_time"
        earliest = when - (timedelta(seconds=1) if intent == "checkin" else self.LONGEST_SESSION)
        days = (earliest - timedelta(days=1)).date(), (when + timedelta(days=1)).date()
        params = {
            "daterange": f"{days[0].isoformat()}|{days[1].isoformat()}",
            "employee_ids": employee_id,
            "verbosity": "detail",
        }
        for page in self.client.pages(TIMESPANS, params):
            for raw in page.results:
                if not isinstance(raw, Mapping):
                    continue
                at = mapping.parse_time(raw.get(time_key))
                whose = mapping.text(raw.get("employee_id"))
                mine = whose in ("", employee_id)  # asked for this employee alone
                if mine and at is not None and abs((at - when).total_seconds()) < 1:
                    return {
                        "timespan_id": raw.get("id"),
                        "intent": intent,
                        "employee_id": employee_id,
                        "time": raw.get(time_key),
                        "created_at": raw.get("modified_at"),
                    }
        return None

    def close(self) -> None:
        self.client.close()
