"""The door board: its rows grouped by site, its counts, and the one-query version it polls."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import OuterRef, Subquery

from portal.doors.models import Alarm, Door, DoorCommand, DoorEvent

NO_SITE = "No site"
#: rank in a site group: alarms first, then offline doors, then the rest
ALARM, OFFLINE, REST = 0, 1, 2

#: why a door is in its mode, when no command of ours explains it
MODE_REASONS = {
    Door.Mode.SCHEDULED_LOCK: "Held locked by the door's schedule",
    Door.Mode.SCHEDULED_UNLOCK: "Held unlocked by the door's schedule",
    Door.Mode.LOCKDOWN: "Emergency lock or lockdown",
    Door.Mode.MANUAL_LOCK: "Locked by an operator at the vendor's console",
    Door.Mode.MANUAL_UNLOCK: "Unlocked by an operator at the vendor's console",
}
#: commands whose reason explains a manual mode
MODE_COMMANDS = {
    Door.Mode.MANUAL_LOCK: DoorCommand.Action.LOCK,
    Door.Mode.MANUAL_UNLOCK: DoorCommand.Action.UNLOCK,
}


def board_version() -> str:
    """A short fingerprint of everything the board shows; one query.

    Writers bump ``Door.changed_at`` on any change of a door (state, mode, site, last event,
    alarm raised or acknowledged); commands and alarms are read here too so a writer that forgets
    still shows up.
    """
    door, alarm, command = (m._meta.db_table for m in (Door, Alarm, DoorCommand))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(changed_at) FROM {door}),"  # table names only, no input
            f" (SELECT COUNT(*) FROM {door}),"
            f" (SELECT MAX(id) FROM {alarm}),"
            f" (SELECT MAX(acknowledged_at) FROM {alarm}),"
            f" (SELECT MAX(id) FROM {command}),"
            f" (SELECT MAX(answered_at) FROM {command}),"
            f" (SELECT MAX(sent_at) FROM {command})"
        )
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass
class SiteGroup:
    name: str
    doors: list = field(default_factory=list)

    @property
    def rank(self) -> int:
        return min((door.rank for door in self.doors), default=REST)


@dataclass
class Board:
    groups: list[SiteGroup]
    alarms: int
    offline: int
    unlocked: int
    lockdown: int
    newest_alarm: Alarm | None

    @property
    def door_count(self) -> int:
        return sum(len(group.doors) for group in self.groups)


def build_board() -> Board:
    """Every door still listed by its vendor, with its last event, last command and open alarms."""
    newest = DoorEvent.objects.filter(door=OuterRef("pk")).order_by("-occurred_at", "-id")
    latest_command = DoorCommand.objects.filter(door=OuterRef("pk")).order_by("-requested_at")
    doors = list(
        Door.objects.filter(gone_at__isnull=True)
        .select_related("account", "site")
        .annotate(
            last_event_id=Subquery(newest.values("id")[:1]),
            last_command_id=Subquery(latest_command.values("id")[:1]),
        )
    )
    events = DoorEvent.objects.select_related("person").in_bulk(
        [d.last_event_id for d in doors if d.last_event_id]
    )
    commands = DoorCommand.objects.select_related("requested_by").in_bulk(
        [d.last_command_id for d in doors if d.last_command_id]
    )
    open_alarms = list(
        Alarm.objects.filter(acknowledged_at__isnull=True).select_related("door", "device")
    )
    alarmed: dict[int, list[Alarm]] = {}
    for alarm in open_alarms:
        if alarm.door_id:
            alarmed.setdefault(alarm.door_id, []).append(alarm)
    groups: dict[str, SiteGroup] = {}
    for door in doors:
        door.last_event = events.get(door.last_event_id)
        door.last_command = commands.get(door.last_command_id)
        door.open_alarms = alarmed.get(door.pk, [])
        door.rank = (
            ALARM
            if door.is_alarm or door.open_alarms
            else OFFLINE
            if door.state == Door.State.OFFLINE
            else REST
        )
        door.mode_reason = mode_reason(door)
        name = door.site.name if door.site else NO_SITE
        groups.setdefault(name, SiteGroup(name)).doors.append(door)
    for group in groups.values():
        group.doors.sort(key=lambda d: (d.rank, d.name.casefold(), d.pk))
    ordered = sorted(groups.values(), key=lambda g: (g.rank, g.name == NO_SITE, g.name.casefold()))
    return Board(
        groups=ordered,
        alarms=len(open_alarms),
        offline=sum(d.state == Door.State.OFFLINE for d in doors),
        unlocked=sum(d.state in (Door.State.UNLOCKED, Door.State.OPEN) for d in doors),
        lockdown=sum(d.mode == Door.Mode.LOCKDOWN for d in doors),
        newest_alarm=max(open_alarms, key=lambda a: a.pk, default=None),
    )


def mode_reason(door: Door) -> str:
    """Why the door is in its mode: our own command's reason when one put it there."""
    command = door.last_command
    if (
        command is not None
        and MODE_COMMANDS.get(door.mode) == command.action
        and command.status == DoorCommand.Status.SUCCEEDED
    ):
        return f"{command.requested_by}: {command.reason}"
    return MODE_REASONS.get(door.mode, "")
