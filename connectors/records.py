"""Canonical records: what every connector turns vendor JSON into, and back.

Frozen dataclasses. Each carries the vendor's own id (``vendor_id``) and the vendor's record as
received (``raw``, never compared), so nothing the vendor sent is lost even when it is not mapped.
Times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

_RAW = field(default_factory=dict, compare=False, repr=False, hash=False)


@dataclass(frozen=True)
class PersonRecord:
    vendor_id: str
    code: str  # employee code / personnel number; a string, leading zeros kept
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    department_id: str | None = None
    department_name: str = ""
    position_id: str | None = None
    position_name: str = ""
    site_ids: tuple[str, ...] = ()
    hire_date: date | None = None
    active: bool = True
    terminated_on: date | None = None
    #: the vendor's own administrator/operator account (the one Workgate logs in with, say):
    #: never offered for linking, and never changed by Workgate
    system_account: bool = False
    #: the access groups the vendor grants the person directly (BioStar), as vendor ids, sorted;
    #: None where the vendor has no such thing
    access_group_ids: tuple[str, ...] | None = None
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class AccessGroupRecord:
    """A set of doors and schedules a person can be granted (BioStar access group)."""

    vendor_id: str
    name: str
    description: str = ""
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class DepartmentRecord:
    vendor_id: str
    name: str
    code: str = ""
    parent_id: str | None = None
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class PositionRecord:
    vendor_id: str
    name: str
    code: str = ""
    parent_id: str | None = None
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class SiteRecord:
    """A place. BioTime calls it an area."""

    vendor_id: str
    name: str
    code: str = ""
    raw: Mapping[str, Any] = _RAW


DEVICE_KINDS = ("terminal", "controller", "lock")


@dataclass(frozen=True)
class DeviceRecord:
    vendor_id: str
    name: str
    kind: str  # one of DEVICE_KINDS
    serial: str = ""
    site_id: str | None = None
    online: bool = False
    last_seen_at: datetime | None = None
    firmware: str = ""
    battery_level: int | None = None  # percent, for battery-powered devices (smart locks)
    raw: Mapping[str, Any] = _RAW


DOOR_STATES = ("locked", "unlocked", "open", "forced", "held_open", "offline")
DOOR_MODES = (
    "normal",
    "manual_lock",
    "manual_unlock",
    "lockdown",
    "scheduled_lock",  # held locked by a schedule (BioStar status bit 64)
    "scheduled_unlock",  # held unlocked by a schedule (BioStar status bit 128)
)


@dataclass(frozen=True)
class DoorRecord:
    vendor_id: str
    name: str
    device_id: str | None = None
    site_id: str | None = None
    state: str = "offline"  # one of DOOR_STATES
    mode: str = "normal"  # one of DOOR_MODES
    last_open_at: datetime | None = None
    #: how the vendor groups the door (BioStar door group, WorkTime lock location): mapped to a site
    group: str = ""
    raw: Mapping[str, Any] = _RAW


DOOR_EVENT_KINDS = (
    "granted",
    "denied",
    "forced_open",
    "held_open",
    "alarm_cleared",
    "state_change",
    "other",
)


@dataclass(frozen=True)
class DoorEventRecord:
    vendor_id: str  # the vendor's natural key (BioStar: "datetime|device_id|id")
    occurred_at: datetime
    kind: str  # one of DOOR_EVENT_KINDS
    door_id: str | None = None
    device_id: str | None = None
    person_id: str | None = None  # the vendor's user id
    code: str = ""  # the vendor's event code
    description: str = ""
    direction: str = "unknown"  # what a time-and-attendance key says, as for punches
    raw: Mapping[str, Any] = _RAW


PUNCH_DIRECTIONS = ("in", "out", "break_out", "break_in", "unknown")


@dataclass(frozen=True)
class PunchRecord:
    vendor_id: str
    person_code: str  # the code the vendor punched under
    occurred_at: datetime
    direction: str = "unknown"  # one of PUNCH_DIRECTIONS
    device_id: str | None = None
    door_id: str | None = None
    person_id: str | None = None  # the vendor's own id of the person, when it gives one
    uploaded_at: datetime | None = None
    raw: Mapping[str, Any] = _RAW


_new = object.__new__


def punch_record(
    vendor_id: str,
    person_code: str,
    occurred_at: datetime,
    direction: str = "unknown",
    device_id: str | None = None,
    door_id: str | None = None,
    person_id: str | None = None,
    uploaded_at: datetime | None = None,
    raw: Mapping[str, Any] | None = None,
) -> PunchRecord:
    """``PunchRecord(...)`` without its generated ``__init__``, which sets each field of a frozen
    dataclass through ``object.__setattr__`` (~2 us of a punch's ~10 us mapping, for a pull's
    every punch). Equal, hashed and shown the same; as frozen."""
    record = _new(PunchRecord)
    record.__dict__.update(
        vendor_id=vendor_id,
        person_code=person_code,
        occurred_at=occurred_at,
        direction=direction,
        device_id=device_id,
        door_id=door_id,
        person_id=person_id,
        uploaded_at=uploaded_at,
        raw={} if raw is None else raw,
    )
    return record


@dataclass(frozen=True)
class TimeCardRecord:
    vendor_id: str
    person_id: str
    clock_in: datetime | None
    clock_out: datetime | None  # None: still clocked in
    entry_type: str = "job"  # job | pto | addition | deduction
    hours: float | None = None
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class LockEventRecord:
    vendor_id: str
    lock_id: str
    occurred_at: datetime
    person_id: str | None = None
    method: str = ""  # app, card, fingerprint, passcode …
    success: bool = True
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class SkippedRecord:
    """A vendor record that could not be mapped: reported with its reason, never fatal."""

    reason: str
    raw: Mapping[str, Any] = _RAW


@dataclass(frozen=True)
class Page:
    """One page of a stream: its records, what was skipped, and the cursor to resume after it."""

    records: list[Any]
    cursor: str | None = None
    skipped: list[SkippedRecord] = field(default_factory=list)
    #: what the vendor's answers did not add up to (its count promised more rows than paging
    #: delivered): reported in the run, and a read with such a note marks nothing gone
    notes: tuple[str, ...] = ()
    #: the rows the vendor has still to send after this page, by its own count (None: not
    #: known): a hint for grouping pages into batches, never trusted for what is stored
    remaining: int | None = None

    @classmethod
    def of(
        cls,
        mapped: Iterable[Any],
        cursor: str | None = None,
        notes: tuple[str, ...] = (),
        remaining: int | None = None,
    ) -> Page:
        """A page of what a mapper answered: records, and the rows it skipped set apart."""
        records, skipped = split_skipped(mapped)
        return cls(records, cursor, skipped, notes, remaining)


def split_skipped(mapped: Iterable[Any]) -> tuple[list[Any], list[SkippedRecord]]:
    """A mapper's answers as (records, skipped): it answers a SkippedRecord for a row it cannot use."""
    records, skipped = [], []
    for item in mapped:
        (skipped if isinstance(item, SkippedRecord) else records).append(item)
    return records, skipped


@dataclass(frozen=True)
class ServerIdentity:
    """What ``check()`` reports for the "test connection" button."""

    vendor: str
    server: str
    version: str = ""
    user: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    deletes: frozenset[str] = frozenset()
    commands: frozenset[str] = frozenset()

    def can(self, verb: str, kind: str) -> bool:
        return kind in getattr(self, verb)
