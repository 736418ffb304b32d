"""BioStar access events → :class:`DoorEventRecord` and, for time-and-attendance keys, punches.

- ``datetime`` is UTC and is the time trusted; ``server_datetime`` is local wall time with a
  misleading ``Z``: used only when a row lacks ``datetime``, read in the account's zone.
- ``user_id`` absent (device events) or ``{"user_id": "0"}`` (nobody matched) is no person.
- The event ``id`` restarts at 1 every month, so the natural key is
  ``"<datetime>|<device_id>|<id>"`` with the datetime normalized to milliseconds.
- Kinds come from the event code ranges (vendor-quirks.md, BioStar 2 SDK numbering).
- ``tna_key``: 1 check-in, 2 check-out, 3 break out, 4 break in, 5 meal out, 6 meal in, 0 none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.biostar.scalars import format_query_utc, parse_utc, ref_id, text, to_int
from connectors.records import DoorEventRecord, PunchRecord, SkippedRecord
from connectors.timezones import zone

ACCESS_GRANTED_IMPORT, ACCESS_DENIED = 4088, 6400  # the codes /api/events/import accepts

#: (first code, last code, kind), first match wins.
KIND_RANGES = (
    (0x1000, 0x10FF, "granted"),  # verify success
    (0x1100, 0x11FF, "denied"),  # verify fail
    (0x1200, 0x12FF, "granted"),  # verify duress: the door opens
    (0x1300, 0x13FF, "granted"),  # identify success (4867 = face)
    (0x1400, 0x14FF, "denied"),  # identify fail
    (0x1500, 0x15FF, "granted"),  # dual-auth success (vendor-quirks.md)
    (0x1600, 0x16FF, "granted"),  # dual-auth success on SDK numbering
    (0x1700, 0x19FF, "denied"),  # dual-auth fail, auth failed, access denied (6400 = 0x1900)
    (0x5000, 0x53FF, "state_change"),  # unlocked, locked, opened, closed
    (0x5400, 0x54FF, "forced_open"),
    (0x5500, 0x55FF, "held_open"),
    (0x5600, 0x56FF, "forced_open"),  # forced open alarm detected
    (0x5700, 0x57FF, "alarm_cleared"),  # forced open alarm cleared
    (0x5800, 0x58FF, "held_open"),  # held open alarm detected
    (0x5900, 0x59FF, "alarm_cleared"),  # held open alarm cleared
)

#: Alarm events: code → (the door state it stands for, raised (True) or cleared (False)).
ALARM_EVENTS = {
    0x5400: ("forced", True),  # forced open
    0x5600: ("forced", True),  # forced open alarm detected
    0x5700: ("forced", False),  # forced open alarm cleared
    0x5500: ("held_open", True),  # held open
    0x5800: ("held_open", True),  # held open alarm detected
    0x5900: ("held_open", False),  # held open alarm cleared
}

TNA_DIRECTIONS = {1: "in", 2: "out", 3: "break_out", 4: "break_in", 5: "break_out", 6: "break_in"}


def event_kind(code: int | None) -> str:
    if code == ACCESS_GRANTED_IMPORT:
        return "granted"
    if code is None:
        return "other"
    for first, last, kind in KIND_RANGES:
        if first <= code <= last:
            return kind
    return "other"


def tna_direction(value: Any) -> str:
    return TNA_DIRECTIONS.get(to_int(value, 0) or 0, "unknown")


def event_code(row: Mapping[str, Any]) -> int | None:
    value = row.get("event_type_id")
    if isinstance(value, Mapping):
        value = value.get("code", value.get("id"))
    return to_int(value)


def event_key(occurred_at: datetime, device_id: str | None, event_id: str) -> str:
    return f"{format_query_utc(occurred_at)}|{device_id or ''}|{event_id}"


NOBODY = {"", "0"}  # user ids that mean "no person"


def event_time(row: Mapping[str, Any], time_zone: str = "UTC") -> datetime | None:
    """``datetime`` (UTC); else ``server_datetime`` read as wall time in the server's zone."""
    moment = parse_utc(row.get("datetime"))
    if moment is None:
        local = parse_utc(row.get("server_datetime"))  # the "Z" is a lie: drop it
        if local is not None:
            moment = local.replace(tzinfo=None).replace(tzinfo=zone(time_zone)).astimezone(UTC)
    return moment


def event_person(row: Mapping[str, Any]) -> str | None:
    user = row.get("user_id")
    person = ref_id(user if not isinstance(user, Mapping) else user.get("user_id"))
    return None if person in NOBODY or person is None else person


def event_from_vendor(
    row: Any, descriptions: Mapping[int, str] | None = None, time_zone: str = "UTC"
) -> DoorEventRecord | SkippedRecord:
    if not isinstance(row, Mapping):
        return SkippedRecord(f"an event row is {type(row).__name__}, not an object", {"row": row})
    occurred_at = event_time(row, time_zone)
    if occurred_at is None:
        return SkippedRecord(f"event without a readable datetime ({row.get('datetime')!r})", row)
    event_id = text(row.get("id"))
    if not event_id:
        return SkippedRecord("event without id", row)
    device_id = ref_id(row.get("device_id"))
    code = event_code(row)
    return DoorEventRecord(
        vendor_id=event_key(occurred_at, device_id, event_id),
        occurred_at=occurred_at,
        kind=event_kind(code),
        door_id=ref_id(row.get("door_id")),
        device_id=device_id,
        person_id=event_person(row),
        code="" if code is None else str(code),
        description=(descriptions or {}).get(code, "") if code is not None else "",
        direction=tna_direction(row.get("tna_key")),
        raw=row,
    )


def punch_from_event(event: DoorEventRecord) -> PunchRecord | None:
    """A granted passage with a T&A key by a known user is a punch; anything else is not."""
    if event.kind != "granted" or event.direction == "unknown" or not event.person_id:
        return None
    return PunchRecord(
        vendor_id=event.vendor_id,
        person_code=event.person_id,
        occurred_at=event.occurred_at,
        direction=event.direction,
        device_id=event.device_id,
        door_id=event.door_id,
        person_id=event.person_id,
        raw=event.raw,
    )


def event_to_vendor(event: DoorEventRecord) -> dict[str, Any]:
    """The mapped fields back in BioStar's shape (for round-trip checks and test fixtures)."""
    _, device_id, event_id = event.vendor_id.split("|", 2)
    row: dict[str, Any] = {
        "id": event_id,
        "datetime": format_query_utc(event.occurred_at.astimezone(UTC)),
        "event_type_id": {"code": event.code},
        "tna_key": str({v: k for k, v in reversed(TNA_DIRECTIONS.items())}.get(event.direction, 0)),
    }
    if device_id:
        row["device_id"] = {"id": device_id}
    if event.door_id:
        row["door_id"] = {"id": event.door_id}
    if event.person_id:
        row["user_id"] = {"user_id": event.person_id}
    return row


def open_alarms(events: Iterable[DoorEventRecord]) -> dict[str, str]:
    """Door id → the alarm its events leave raised (forced before held open), events in time
    order. For servers whose status call never reports alarms (vendor-quirks.md)."""
    raised: dict[str, dict[str, bool]] = {}
    for event in events:
        alarm = ALARM_EVENTS.get(to_int(event.code, -1) or -1)
        if alarm is not None and event.door_id:
            raised.setdefault(event.door_id, {})[alarm[0]] = alarm[1]
    found = {}
    for door_id, alarms in raised.items():
        state = next((a for a in ("forced", "held_open") if alarms.get(a)), None)
        if state:
            found[door_id] = state
    return found
