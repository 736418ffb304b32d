"""ZKTeco BioTime 9.5 (and 8.x) as a Workgate connector.

Reads: people (employees, plus the resigned ones the list hides), departments, positions,
sites (areas), devices (terminals) and punches (transactions). Writes: people (create, update,
resign, reinstate, delete) and the code-name trees (see ``writes.py``).

Streams other than punches have no change marker in the API, so they are full snapshots: every
page carries cursor None. Punches follow ``upload_time`` with an overlap, an hourly deep and a
daily wide re-read (see ``cursor.py``).

Optional endpoints (the resignations, absent before BioTime 8.5) are probed once per connector:
``server_capabilities()`` reports them, and the people stream carries on without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any, ClassVar

import httpx

from connectors import errors
from connectors.base import Connector
from connectors.biotime import mapping
from connectors.biotime.capabilities import OptionalEndpoints
from connectors.biotime.client import EMPLOYEES, RESIGNS, TERMINALS, TRANSACTIONS, BioTimeClient
from connectors.biotime.cursor import PunchCursor
from connectors.biotime.writes import BioTimeWrites, TreeLookup
from connectors.client import ClientOptions
from connectors.paging import SeenKeys, prefetch
from connectors.records import Capabilities, Page, ServerIdentity
from connectors.timezones import utc_to_local_naive


class BioTimeConnector(BioTimeWrites, Connector):
    kind = "biotime"
    capabilities = Capabilities(
        reads=frozenset({"people", "departments", "positions", "sites", "devices", "punches"}),
        writes=frozenset({"people", "departments", "positions", "sites"}),
        deletes=frozenset({"people", "departments", "positions", "sites"}),
    )
    #: re-read punch times this far before the newest upload seen, on every pull
    PUNCH_LOOKBACK: ClassVar[timedelta] = timedelta(minutes=10)
    #: how far back a deep re-read reaches: the longest a terminal may stay offline and still
    #: have its punches picked up
    LATE_UPLOAD_WINDOW: ClassVar[timedelta] = timedelta(hours=24)
    #: how often (in server time, measured on upload_time) the deep re-read runs
    LATE_SWEEP_EVERY: ClassVar[timedelta] = timedelta(hours=1)
    #: the wide re-read: days reached back (credentials/option ``late_upload_sweep_days``) and
    #: how often it runs. Terminals offline over a weekend upload more than a day late.
    LATE_UPLOAD_SWEEP_DAYS: ClassVar[int] = 7
    WIDE_SWEEP_EVERY: ClassVar[timedelta] = timedelta(days=1)

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        options: ClientOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        punch_lookback: timedelta | None = None,
        late_upload_window: timedelta | None = None,
        late_sweep_every: timedelta | None = None,
        late_upload_sweep_days: int | None = None,
        wide_sweep_every: timedelta | None = None,
    ):
        super().__init__(base_url, credentials, options, transport=transport, sleep=sleep)
        kind = self.credentials.get("login_kind") or "jwt"
        staff = kind.startswith("staff_")
        found = self.credentials
        username = found.get("staff_username" if staff else "username") or found.get("username")
        password = found.get("staff_password" if staff else "password") or found.get("password")
        if not username or not password:
            raise errors.AuthenticationError("BioTime credentials need a username and a password.")
        self.client = BioTimeClient(
            base_url,
            username=username,
            password=password,
            login_kind=kind,
            clock=clock,
            options=self.options,
            transport=transport,
            sleep=sleep,
        )
        self.punch_lookback = punch_lookback or self.PUNCH_LOOKBACK
        window = late_upload_window or self.LATE_UPLOAD_WINDOW
        self.late_upload_window = max(window, self.punch_lookback)
        every = late_sweep_every
        self.late_sweep_every = every if every is not None else self.LATE_SWEEP_EVERY
        days = _sweep_days(late_upload_sweep_days, found.get("late_upload_sweep_days"))
        self.wide_window = max(timedelta(days=days), self.late_upload_window)
        self.wide_sweep_every = wide_sweep_every or self.WIDE_SWEEP_EVERY
        self.optional = OptionalEndpoints(self.client)

    def close(self) -> None:
        self.client.close()

    # -- identity ---------------------------------------------------------------------------
    def check(self) -> ServerIdentity:
        """Log in and count the terminals (one small page): proves address, login and licence.
        The details also say which optional APIs the server has (see server_capabilities)."""
        first = next(self.client.pages(TERMINALS, size=1))
        details: dict[str, Any] = {"login_kind": self.client.login_kind, "terminals": first.count}
        if not self.client.login_kind.startswith("staff_"):  # staff logins read punches only
            details["capabilities"] = self.server_capabilities()
        return ServerIdentity(
            vendor="ZKTeco BioTime",
            server=self.base_url,
            user=self.client.username,
            details=details,
        )

    def server_capabilities(self) -> dict[str, bool]:
        """Optional APIs this server has, e.g. ``{"resignations": False}`` on BioTime 8.0.
        Probed once per connector (one small request each), then remembered."""
        return self.optional.as_dict()

    # -- snapshot streams -------------------------------------------------------------------
    def read_people(self, cursor: str | None = None) -> Iterator[Page]:
        """Active employees page by page, then the resigned ones (each read by id, since the
        list hides them) marked inactive with their resignation date. A server without the
        resignation API gives the employee list alone, everyone as active as it says."""
        # the next raw page fetched while this one is mapped (as for punches, see read_punches)
        for page in prefetch(self._employee_list_then_probe(), depth=2):
            yield Page.of(
                [mapping.person_from_employee(row) for row in page.rows], notes=page.notes
            )
        if not self.optional.has("resignations"):
            return
        lookup = TreeLookup(self.client)
        for page in self.client.pages(RESIGNS):
            resigned = [self._resigned_record(resign, lookup) for resign in page.rows]
            yield Page.of(resigned, notes=page.notes)

    def _employee_list_then_probe(self) -> Iterator:
        """The employee list's raw pages; then the resignation API is probed (once per
        connector), by the same thread while the last pages are mapped and stored, not after.
        Only this thread calls the vendor until the pages end."""
        yield from self.client.pages(EMPLOYEES)
        self.optional.has("resignations")

    def read_departments(self, cursor: str | None = None) -> Iterator[Page]:
        yield from self._tree_pages("departments")

    def read_positions(self, cursor: str | None = None) -> Iterator[Page]:
        yield from self._tree_pages("positions")

    def read_sites(self, cursor: str | None = None) -> Iterator[Page]:
        yield from self._tree_pages("areas")

    def _tree_pages(self, kind: str) -> Iterator[Page]:
        for page in self.client.pages(f"/personnel/api/{kind}/"):
            yield Page.of([mapping.node_from_row(kind, row) for row in page.rows], notes=page.notes)

    def read_devices(self, cursor: str | None = None) -> Iterator[Page]:
        zone = self.options.time_zone
        for page in self.client.pages(TERMINALS):
            devices = [mapping.device_from_terminal(row, zone) for row in page.rows]
            yield Page.of(devices, notes=page.notes)

    # -- punches ----------------------------------------------------------------------------
    def read_punches(self, cursor: str | None = None) -> Iterator[Page]:
        """Transactions whose punch time is at or after the cursor's window start, in id (=
        upload) order; each page's cursor is the newest upload_time seen so far. A transaction
        comes once per read even if the server's pages shift under us."""
        zone = self.options.time_zone
        start_from = PunchCursor.loads(cursor, zone)
        reach = start_from.reach(self.late_sweep_every, self.wide_sweep_every)
        start = start_from.window_start(
            reach, self.punch_lookback, self.late_upload_window, self.wide_window
        )
        params = {"start_time": utc_to_local_naive(start, zone)} if start is not None else {}
        terminal_ids = self._terminal_ids()
        state, delivered = start_from, SeenKeys()
        # The next raw page is fetched while this one is mapped: the pull's read-ahead thread
        # calls this generator, so without it that thread waited on the vendor and mapped in
        # turn (paced pull ratio 1.83-1.90 without, 1.58-1.61 with; ~16 MB of raw pages).
        to_punch = mapping.punch_from_transaction
        read = 0
        for page in prefetch(self.client.pages(TRANSACTIONS, params), depth=2):
            read += len(page.rows)
            remaining = None if page.count is None else max(page.count - read, 0)
            found, newest = [], None
            for row in page.rows:
                record = to_punch(row, zone, terminal_ids)
                key = getattr(record, "vendor_id", None)
                if key is not None and not delivered.add(key):
                    continue
                found.append(record)
                upload = getattr(record, "uploaded_at", None)
                if upload is not None and (newest is None or upload > newest):
                    newest = upload
            state = state.seen(newest)  # the page's newest upload: one cursor per page
            if page.last:
                # a complete re-read: the next of its kind is due its interval from here
                state = state.after_reread(reach, start_from.upload)
            yield Page.of(found, state.dumps(), notes=page.notes, remaining=remaining)

    def _terminal_ids(self) -> dict[str, str]:
        """Serial → terminal id, so a punch points at its DeviceRecord. A staff login may not
        list terminals: then punches carry the serial as device id."""
        try:
            return {
                mapping.text(row.get("sn")): mapping.ref_id(row.get("id")) or ""
                for row in self.client.all_rows(TERMINALS)
                if isinstance(row, Mapping) and mapping.text(row.get("sn"))
            }
        except errors.PermissionDeniedError as exc:
            if "licen" in exc.message.lower():
                raise
            return {}


def _sweep_days(given: int | None, option: Any) -> int:
    """The wide re-read's reach in days: the argument, else the account option, else 7."""
    value = given if given is not None else option
    if value in (None, ""):
        return BioTimeConnector.LATE_UPLOAD_SWEEP_DAYS
    days = mapping.as_int(value)
    if days is None or days < 1 or days > 366:
        raise errors.ValidationError(
            f"late_upload_sweep_days must be a whole number of days from 1 to 366, not {value!r}.",
            field="late_upload_sweep_days",
        )
    return days
