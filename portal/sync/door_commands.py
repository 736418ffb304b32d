"""Sending a door command to its vendor: the worker half of :mod:`portal.doors.commands`.

Order matters. In one transaction the row is locked, checked (still queued, not expired, not
held by a lockdown that began after the click) and marked sent; only then does the request
leave. A command whose answer is lost after sending is never sent again blindly: the door's
state is read and the command is marked with what was found.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from connectors import errors
from connectors.records import DoorRecord
from portal.doors.commands import (
    HOLD_BREAKING,
    end_earlier_unlocks,
    mark_expired,
    record_outcome,
)
from portal.doors.models import Door, DoorCommand, Lockdown
from portal.sync.connectors import kept_connector

log = logging.getLogger(__name__)
Status = DoorCommand.Status


def send_command(
    command_id: int,
    *,
    transport=None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = timezone.now,
    on_sending: Callable[[DoorCommand], None] | None = None,
) -> DoorCommand:
    """Send one queued command and read the door's state back into the mirror.

    ``on_sending`` is called just before the request leaves (benchmarks time it)."""
    command = _claim(command_id, now())
    if command.status != Status.SENT:
        return command  # expired, refused, or a redelivery of a command already handled
    door = command.door
    if on_sending:
        on_sending(command)
    try:
        with kept_connector(door.account, transport=transport, sleep=sleep) as connector:
            command.vendor_answer = connector.command_door(door.vendor_id, command.action)
            command.status = Status.SUCCEEDED
            found = _read_door(connector, door.vendor_id)
    except errors.ConnectorError as exc:
        found = None
        if getattr(exc, "may_have_run", False):
            command.error = f"The answer was lost after sending ({exc}); not sent again."
            found = _read_after_loss(door, transport, sleep)
            command.status = _judge(command.action, found)
        else:
            command.status, command.error = Status.FAILED, str(exc)
    _finish(command, found, now())
    return command


def _claim(command_id: int, now: datetime) -> DoorCommand:
    """Lock the row; refuse it if expired or held, else mark it sent, all in one transaction."""
    with transaction.atomic():
        command = (
            DoorCommand.objects.select_for_update()
            .select_related("door__account", "requested_by")
            .get(pk=command_id)
        )
        if command.status != Status.QUEUED:
            return command
        if command.expires_at <= now:
            mark_expired(command, now)
            return command
        held = Lockdown.objects.covering(command.door).exists()
        if command.action in HOLD_BREAKING and held and not command.overrides_lockdown:
            command.status, command.answered_at = Status.FAILED, now
            command.error = "A lockdown began before it was sent: not sent."
            command.save(update_fields=["status", "answered_at", "error"])
            record_outcome(command)
            return command
        command.status, command.sent_at = Status.SENT, now
        command.save(update_fields=["status", "sent_at"])
    return command


def _read_door(connector, vendor_id: str) -> DoorRecord | None:
    """The door's state as the vendor reports it now (its ``door_state`` stream)."""
    for page in connector.read("door_state"):
        for record in page.records:
            if isinstance(record, DoorRecord) and record.vendor_id == vendor_id:
                return record
    return None


def _read_after_loss(door: Door, transport, sleep) -> DoorRecord | None:
    try:
        with kept_connector(door.account, transport=transport, sleep=sleep) as connector:
            return _read_door(connector, door.vendor_id)
    except errors.ConnectorError as exc:
        log.warning("door %s: state unreadable after a lost answer: %s", door.pk, exc)
        return None


def _judge(action: str, found: DoorRecord | None) -> str:
    """Whether the state read after a lost answer shows the command took effect."""
    if found is None:
        return Status.UNCERTAIN
    took = {
        "lock": found.state == "locked" and found.mode == "manual_lock",
        "unlock": found.mode == "manual_unlock",
        "release": found.mode not in ("manual_lock", "manual_unlock"),
        "open": found.state in ("open", "unlocked"),
        "clear_alarm": found.state not in ("forced", "held_open"),
    }
    return Status.SUCCEEDED if took.get(action) else Status.UNCERTAIN


def _finish(command: DoorCommand, found: DoorRecord | None, now: datetime) -> None:
    with transaction.atomic():
        if found is not None:
            command.state_after = found.state
            _mirror_state(command.door, found, now)
        command.answered_at = now
        command.save(
            update_fields=["status", "answered_at", "vendor_answer", "error", "state_after"]
        )
        if command.status == Status.SUCCEEDED:
            end_earlier_unlocks(command, now)
        record_outcome(command)


def _mirror_state(door: Door, found: DoorRecord, now: datetime) -> None:
    """Update the mirror row at once, so the board shows the result without waiting for a pull."""
    if (door.state, door.mode) != (found.state, found.mode):
        Door.objects.filter(pk=door.pk).update(
            state=found.state, mode=found.mode, state_changed_at=now
        )
        door.state, door.mode, door.state_changed_at = found.state, found.mode, now
