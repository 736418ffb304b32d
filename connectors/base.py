"""What every vendor connector offers, whatever the vendor."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import ClassVar

import httpx

from connectors import errors
from connectors.client import ClientOptions
from connectors.records import Capabilities, Page, PersonRecord, PunchRecord, ServerIdentity

#: Door commands a connector may accept (``command_door(door_vendor_id, action)``).
DOOR_ACTIONS = ("open", "unlock", "lock", "release", "clear_alarm")


class Connector:
    """One vendor account's API as canonical records.

    Reads are generators ``read_<stream>(cursor)`` of :class:`connectors.records.Page` (records
    plus the cursor to resume after them); writes take and return canonical records; ``capabilities`` says which of these
    the vendor supports so callers never guess.
    """

    kind: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        options: ClientOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url
        self.credentials = dict(credentials)
        self.options = options or ClientOptions()
        self.transport = transport
        self.sleep = sleep

    def check(self) -> ServerIdentity:
        """Log in and read something small: proves address, credentials and licence."""
        raise NotImplementedError

    # -- reading ----------------------------------------------------------------------------
    def read(self, stream: str, cursor: str | None = None) -> Iterator[Page]:
        """Pages of ``stream`` from ``cursor`` (None: from the beginning).

        Each page's ``cursor`` is where to resume once that page is stored. The connector applies
        its stream's overlap window when resuming, so records near the cursor come again and the
        caller de-duplicates them on ``vendor_id``.
        """
        if stream not in self.capabilities.reads:
            raise errors.PermissionDeniedError(f"{self.kind} does not offer {stream!r}")
        return getattr(self, f"read_{stream}")(cursor)

    # -- people writes (only where ``capabilities.writes`` has "people") ---------------------
    def find_person(self, code: str, *, email: str = "") -> PersonRecord | None:
        """Look a person up by natural key before creating, so creates stay idempotent.

        The key is the employee code; vendors that keep no code (WorkTime One) use ``email``.
        """
        raise NotImplementedError

    def get_person(self, vendor_id: str) -> PersonRecord | None:
        """The vendor's record by its own id, active or not (None when it is gone): what a push
        compares the portal's person with before it writes."""
        raise NotImplementedError

    def get_people(self, vendor_ids: Iterable[str]) -> dict[str, PersonRecord | None]:
        """:meth:`get_person` for several records read together (a push batch): a vendor whose
        record read costs several requests shares what it can between them."""
        return {str(vendor_id): self.get_person(str(vendor_id)) for vendor_id in vendor_ids}

    def create_person(self, person: PersonRecord) -> PersonRecord:
        raise NotImplementedError

    def update_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        """Send ``person``'s fields. ``current`` (here and in the other writes): the record as
        the caller just read it, which a vendor may use instead of reading it again."""
        raise NotImplementedError

    def change_code(self, vendor_id: str, person: PersonRecord) -> PersonRecord:
        """Give the record ``person.code`` as its employee code; returns the record that now
        holds it. By default the vendor renames in place; a vendor whose code is its key (BioStar
        ``user_id``) makes a new record and disables the old one, so none stays active."""
        return self.update_person(vendor_id, person)

    def terminate_person(
        self, vendor_id: str, on: date, reason: str = "", *, current: PersonRecord | None = None
    ) -> None:
        """Revoke the person on this vendor the way it is done there (disable, resign, delete)."""
        raise NotImplementedError

    def rehire_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        raise NotImplementedError

    # -- punches from other clocks (only where ``capabilities.writes`` has "punches") --------
    def send_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str, *, note: str = ""
    ) -> PunchRecord:
        """Record an in or out punch made elsewhere; a replay of one already recorded (a lost
        answer) returns the recorded punch instead of making a second."""
        raise NotImplementedError

    def find_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str
    ) -> PunchRecord | None:
        """The punch this person has here at exactly ``occurred_at`` in ``direction``, if any:
        read before re-sending one whose earlier try may have got through."""
        raise NotImplementedError

    # -- doors ------------------------------------------------------------------------------
    def command_door(self, door_vendor_id: str, action: str) -> dict:
        """Send ``action`` (one of DOOR_ACTIONS) and return the vendor's answer."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):  # credentials stay out of logs and tracebacks
        return f"<{type(self).__name__} {self.base_url}>"
