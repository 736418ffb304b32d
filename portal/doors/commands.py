"""Door commands are rows first: who may send what to which door, and writing the row.

A click writes a :class:`DoorCommand` (queued, expiring 30 s later) and its audit entry in one
transaction; the task on the ``doors`` queue sends it (``portal.sync.door_commands``). What a
door accepts comes from its vendor's connector capabilities, never from a check of its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from connectors.registry import vendor
from portal.core import audit, notify
from portal.doors import commands_queue
from portal.doors.models import Door, DoorCommand, Lockdown

#: a command not sent within this time of the click is never sent (a late open is dangerous)
COMMAND_TTL = timedelta(seconds=30)
#: what an unlock may last, in minutes; Workgate releases the door when the time is up
UNLOCK_MINUTES = (1, 5, 15, 30, 60, 120, 240)
#: actions that would let someone through a door a lockdown holds
HOLD_BREAKING = frozenset({"open", "unlock", "release"})
#: actions after which an earlier timed unlock of the door no longer applies
ENDS_TIMED_UNLOCK = frozenset({"unlock", "lock", "release"})
#: the order the panel offers them in
ACTION_ORDER = ("open", "unlock", "lock", "release", "clear_alarm")

Action = DoorCommand.Action


class CommandRefused(Exception):
    """A command that may not be sent, with a sentence the person reads next to the form."""


class HeldByLockdown(CommandRefused):
    """Refused because a lockdown holds the door (the API answers 409: the door's state)."""


def vendor_actions(door: Door) -> frozenset[str]:
    """What the door's vendor lets Workgate send it (its connector's ``capabilities.commands``)."""
    try:
        return vendor(door.account.kind).capabilities.commands
    except ValueError:  # an account of a vendor no longer listed
        return frozenset()


def vendor_label(door: Door) -> str:
    try:
        return vendor(door.account.kind).short_label
    except ValueError:
        return door.account.kind


@dataclass(frozen=True)
class Offer:
    """What the panel offers one person for one door, and why the rest is missing."""

    actions: tuple[str, ...]
    #: set when nothing can be sent at all: the sentence says why
    unavailable: str = ""
    #: actions withheld because a lockdown holds the door
    held: tuple[str, ...] = ()
    lockdowns: tuple[Lockdown, ...] = ()
    overrides: bool = False

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(a, ACTION_LABELS[a]) for a in self.actions]


ACTION_LABELS = {
    "open": "Open (momentary)",
    "unlock": "Unlock for a while",
    "lock": "Lock until released",
    "release": "Release to schedule",
    "clear_alarm": "Clear alarm",
}


def offer_for(door: Door, user) -> Offer:
    supported = vendor_actions(door)
    if not supported:
        return Offer(
            (),
            f"{vendor_label(door)}’s API offers no remote door commands: Workgate shows this "
            f"door's state and history, and it is opened or locked in {vendor_label(door)} "
            "itself.",
        )
    if not user.has_perm("doors.command_door"):
        return Offer((), "You can watch this door; commanding it needs the Door control role.")
    actions = [a for a in ACTION_ORDER if a in supported]
    lockdowns = tuple(Lockdown.objects.covering(door).select_related("site"))
    if lockdowns and not user.has_perm("doors.override_lockdown"):
        held = tuple(a for a in actions if a in HOLD_BREAKING)
        actions = [a for a in actions if a not in HOLD_BREAKING]
        return Offer(tuple(actions), held=held, lockdowns=lockdowns)
    return Offer(tuple(actions), lockdowns=lockdowns, overrides=bool(lockdowns))


def roles_of(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def request_command(
    door: Door,
    action: str,
    reason: str,
    user,
    *,
    request=None,
    minutes: int | None = None,
    now: datetime | None = None,
) -> DoorCommand:
    """Check, write the command and its audit entry, and queue it once committed.

    Raises PermissionDenied (no ``doors.command_door``) or CommandRefused (what the vendor does
    not offer, a lockdown holding the door, no reason, a bad duration). Nothing refused reaches
    a vendor: the row is not even written.
    """
    if not user.has_perm("doors.command_door"):
        raise PermissionDenied("Commanding a door needs the Door control role.")
    reason = (reason or "").strip()
    if not reason:
        raise CommandRefused("Say why: every door command is kept with its reason.")
    if action not in vendor_actions(door):
        raise CommandRefused(
            f"{vendor_label(door)} does not accept “{ACTION_LABELS.get(action, action)}” "
            "from Workgate."
        )
    if action == Action.UNLOCK and minutes not in UNLOCK_MINUTES:
        raise CommandRefused("Choose how long the door stays unlocked.")
    now = now or timezone.now()
    with transaction.atomic():
        locked_door = Door.objects.select_for_update().get(pk=door.pk)
        overrides = False
        if action in HOLD_BREAKING and Lockdown.objects.covering(locked_door).exists():
            if not user.has_perm("doors.override_lockdown"):
                raise HeldByLockdown(
                    "A lockdown holds this door: it cannot be opened, unlocked or released "
                    "until the lockdown ends (or by someone allowed to override it)."
                )
            overrides = True
        command = DoorCommand.objects.create(
            door=locked_door,
            action=action,
            reason=reason[:300],
            requested_by=user,
            expires_at=now + COMMAND_TTL,
            unlock_until=now + timedelta(minutes=minutes) if action == Action.UNLOCK else None,
            overrides_lockdown=overrides,
        )
        audit_requested(command, request=request, actor=user)
        commands_queue.send_command(command.pk)
    return command


def audit_requested(command: DoorCommand, *, request=None, actor=None) -> None:
    """The entry written before a command can be sent: who, in which roles, from where, what."""
    who = actor or command.requested_by
    audit.record(
        "door.command.override" if command.overrides_lockdown else "door.command.requested",
        request=request,
        actor=actor,
        actor_label=None if actor else "Workgate",
        obj=command.door,
        after={
            "command": command.pk,
            "door": command.door.name,
            "action": command.action,
            "reason": command.reason,
            "requested_by": who.get_username(),
            "roles": roles_of(who),
            "unlock_until": command.unlock_until.isoformat() if command.unlock_until else None,
            "lockdown": command.lockdown_id,
            "overrides_lockdown": command.overrides_lockdown,
        },
    )


def system_command(
    door: Door, action: str, reason: str, on_behalf_of, *, lockdown: Lockdown | None = None
) -> DoorCommand:
    """A command Workgate sends itself (a timed unlock's release, a lockdown's locks): audited
    as Workgate's, naming whose action caused it. Call inside a transaction."""
    command = DoorCommand.objects.create(
        door=door,
        action=action,
        reason=reason[:300],
        requested_by=on_behalf_of,
        expires_at=timezone.now() + COMMAND_TTL,
        lockdown=lockdown,
    )
    audit_requested(command)
    commands_queue.send_command(command.pk)
    return command


def timed_unlock_of(door: Door) -> DoorCommand | None:
    """The unlock Workgate will release when due, if one holds the door now."""
    return (
        DoorCommand.objects.filter(
            door=door,
            action=Action.UNLOCK,
            status=DoorCommand.Status.SUCCEEDED,
            unlock_ended_at__isnull=True,
        )
        .select_related("requested_by")
        .order_by("-requested_at")
        .first()
    )


def release_due_unlocks(now: datetime | None = None) -> int:
    """Timed unlocks whose time is up: release the door to its schedule (or, if a lockdown now
    holds it, lock it). Run by the door tick, never a Celery countdown: rows with times."""
    now = now or timezone.now()
    due = DoorCommand.objects.filter(
        action=Action.UNLOCK,
        status__in=[DoorCommand.Status.SUCCEEDED, DoorCommand.Status.UNCERTAIN],
        unlock_ended_at__isnull=True,
        unlock_until__lte=now,
    ).values_list("pk", flat=True)
    released = 0
    for pk in list(due):
        with transaction.atomic():
            unlock = (
                DoorCommand.objects.select_for_update()
                .select_related("door__account", "requested_by")
                .filter(pk=pk, unlock_ended_at__isnull=True)
                .first()
            )
            if unlock is None:  # another tick got there first
                continue
            unlock.unlock_ended_at = now
            unlock.save(update_fields=["unlock_ended_at"])
            door, until = unlock.door, timezone.localtime(unlock.unlock_until)
            lockdown = Lockdown.objects.covering(door).first()
            action = "lock" if lockdown else "release"
            if action in vendor_actions(door):
                system_command(
                    door,
                    action,
                    f"Unlock by {unlock.requested_by.get_username()} until {until:%H:%M} ended",
                    unlock.requested_by,
                    lockdown=lockdown,
                )
                released += 1
    return released


def end_earlier_unlocks(command: DoorCommand, now: datetime) -> None:
    """A lock, release or newer unlock that reached the door replaces its earlier timed unlock."""
    if command.action in ENDS_TIMED_UNLOCK:
        DoorCommand.objects.filter(
            door_id=command.door_id,
            action=Action.UNLOCK,
            unlock_ended_at__isnull=True,
            requested_at__lt=command.requested_at,
        ).exclude(pk=command.pk).update(unlock_ended_at=now)


def expire_unsent(now: datetime | None = None) -> int:
    """Queued commands past their time (their message was lost): marked expired, never sent."""
    now = now or timezone.now()
    stale = DoorCommand.objects.filter(status=DoorCommand.Status.QUEUED, expires_at__lte=now)
    expired = 0
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            command = (
                DoorCommand.objects.select_for_update()
                .filter(pk=pk, status=DoorCommand.Status.QUEUED)
                .select_related("door", "requested_by")
                .first()
            )
            if command is not None:
                mark_expired(command, now)
                expired += 1
    return expired


EXPIRED_TEXT = "Not sent within 30 seconds of the click, so never sent: send it again if needed."


def mark_expired(command: DoorCommand, now: datetime) -> None:
    command.status, command.answered_at, command.error = (
        DoorCommand.Status.EXPIRED,
        now,
        EXPIRED_TEXT,
    )
    command.save(update_fields=["status", "answered_at", "error"])
    record_outcome(command)


def record_outcome(command: DoorCommand) -> None:
    """A command has its outcome: the second audit entry, and the webhook event saying so.

    Call inside the transaction that stores the outcome."""
    audit_outcome(command)
    notify.emit("door_command.finished", f"door:{command.door_id}", command_event(command))


def command_event(command: DoorCommand) -> dict:
    return {
        "id": command.pk,
        "door": command.door_id,
        "door_name": command.door.name,
        "action": command.action,
        "status": command.status,
        "reason": command.reason,
        "requested_by": command.requested_by.get_username(),
        "requested_at": command.requested_at,
        "answered_at": command.answered_at,
        "state_after": command.state_after,
        "error": command.error,
        "lockdown": command.lockdown_id,
    }


def audit_outcome(command: DoorCommand) -> None:
    """The second entry of every command: what became of it and the state read back."""
    audit.record(
        f"door.command.{command.status}",
        actor=command.requested_by,
        obj=command.door,
        after={
            "command": command.pk,
            "action": command.action,
            "status": command.status,
            "vendor_answer": command.vendor_answer,
            "state_after": command.state_after,
            "error": command.error,
        },
    )
