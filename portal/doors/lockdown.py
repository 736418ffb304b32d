"""Lockdowns: lock every door of a site (or of every site) and hold them locked until ended.

BioStar X's API has no lockdown call (its status only reports emergency locks set on the
device), so a lockdown is a lock command per door, sent through the same pipeline as a click.
The door tick holds it: a door that is not read back locked gets another lock. While a lockdown
is active, open/unlock/release of its doors are refused except with ``doors.override_lockdown``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connectors.registry import vendors_that
from portal.core import audit, notify
from portal.doors.commands import CommandRefused, roles_of, system_command, vendor_actions
from portal.doors.models import Door, DoorCommand, Lockdown

#: a door's mode when it is held locked (by an operator's lock, or the device's own lockdown)
HELD_LOCKED_MODES = (Door.Mode.MANUAL_LOCK, Door.Mode.LOCKDOWN)
#: a lockdown's lock that got no confirmation is sent again after this long
RELOCK_AFTER = timedelta(seconds=30)


def secured_q() -> Q:
    """A door confirmed secured: read back locked and held so (not just locked by schedule)."""
    return Q(state=Door.State.LOCKED, mode__in=HELD_LOCKED_MODES)


def held_doors():
    """Doors that some active lockdown holds (one query, no rows loaded)."""
    active = Lockdown.objects.active()
    if active.filter(site__isnull=True).exists():
        return Door.objects.filter(gone_at__isnull=True)
    return Door.objects.filter(gone_at__isnull=True, site__in=active.values("site"))


def lockable_kinds() -> list[str]:
    """Vendors whose connector can lock a door: only their doors can be secured from here."""
    return [entry.kind for entry in vendors_that("commands", "lock")]


def unsecured_count() -> int:
    """Held doors Workgate can lock that are not read back locked yet."""
    lockable = held_doors().filter(account__kind__in=lockable_kinds())
    return lockable.exclude(secured_q()).count()


def start_lockdown(user, *, site=None, reason: str, request=None) -> Lockdown:
    if not user.has_perm("doors.start_lockdown"):
        raise PermissionDenied("Starting a lockdown needs the Door control role.")
    reason = (reason or "").strip()
    if not reason:
        raise CommandRefused("Say why: a lockdown is kept with its reason.")
    with transaction.atomic():
        lockdown = Lockdown.objects.create(site=site, reason=reason[:300], started_by=user)
        doors = list(lockdown.doors().select_related("account"))
        audit.record(
            "door.lockdown.started",
            request=request,
            actor=user,
            obj=lockdown,
            after={
                "scope": lockdown.scope_label,
                "reason": lockdown.reason,
                "roles": roles_of(user),
                "doors": len(doors),
            },
        )
        notify.emit("lockdown.started", f"lockdown:{lockdown.pk}", lockdown_event(lockdown))
        for door in doors:
            if "lock" in vendor_actions(door):
                system_command(
                    door, "lock", f"Lockdown: {lockdown.reason}", user, lockdown=lockdown
                )
    return lockdown


def end_lockdown(lockdown: Lockdown, user, *, reason: str = "", request=None) -> Lockdown:
    """End it and release its doors to their schedule (those no other lockdown still holds)."""
    if not user.has_perm("doors.end_lockdown"):
        raise PermissionDenied("Ending a lockdown needs the Door control role.")
    with transaction.atomic():
        lockdown = Lockdown.objects.select_for_update().get(pk=lockdown.pk)
        if not lockdown.is_active:
            raise CommandRefused("This lockdown has already ended.")
        lockdown.ended_by, lockdown.ended_at = user, timezone.now()
        lockdown.end_reason = (reason or "").strip()[:300]
        lockdown.save(update_fields=["ended_by", "ended_at", "end_reason"])
        audit.record(
            "door.lockdown.ended",
            request=request,
            actor=user,
            obj=lockdown,
            after={"scope": lockdown.scope_label, "reason": lockdown.end_reason},
        )
        notify.emit("lockdown.ended", f"lockdown:{lockdown.pk}", lockdown_event(lockdown))
        for door in lockdown.doors().select_related("account"):
            still_held = Lockdown.objects.covering(door).exists()
            if not still_held and "release" in vendor_actions(door):
                system_command(
                    door,
                    "release",
                    f"Lockdown of {lockdown.scope_label} ended",
                    user,
                    lockdown=lockdown,
                )
    return lockdown


def lockdown_event(lockdown: Lockdown) -> dict:
    """What a webhook receiver hears of a lockdown."""
    return {
        "id": lockdown.pk,
        "site": lockdown.site_id,
        "scope": lockdown.scope_label,
        "reason": lockdown.reason,
        "started_by": lockdown.started_by.get_username(),
        "started_at": lockdown.started_at,
        "ended_by": lockdown.ended_by.get_username() if lockdown.ended_by else None,
        "ended_at": lockdown.ended_at,
        "end_reason": lockdown.end_reason,
    }


def hold_lockdowns(now=None) -> int:
    """Lock again each held door that is not confirmed secured and has no lock on its way.

    Run by the door tick: a lock that expired unsent, failed, or was undone at the vendor's own
    console is sent again. Returns how many locks it queued."""
    now = now or timezone.now()
    queued = 0
    for lockdown in Lockdown.objects.active().select_related("started_by"):
        doors = lockdown.doors().exclude(secured_q()).select_related("account")
        for door in doors:
            recent = DoorCommand.objects.filter(
                door=door, action="lock", requested_at__gt=now - RELOCK_AFTER
            )
            if "lock" not in vendor_actions(door) or recent.exists():
                continue
            with transaction.atomic():
                system_command(
                    door,
                    "lock",
                    f"Lockdown holds the door: {lockdown.reason}",
                    lockdown.started_by,
                    lockdown=lockdown,
                )
            queued += 1
    return queued
