"""Alarms: raised idempotently from door states, events and device status; acknowledged by people.

One open alarm per (door, kind) and per (device, kind) is a database constraint. A second rule
keeps an acknowledged alarm from coming back for the same occurrence: an alarm raised since the
occurrence began (the door's last state change, the event's time, the device going offline)
already stands for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from portal.core import audit, notify
from portal.devices.models import Device
from portal.doors.models import Alarm, Door, DoorEvent

#: door state → the alarm it raises
STATE_ALARMS = {
    Door.State.FORCED: Alarm.Kind.FORCED_OPEN,
    Door.State.HELD_OPEN: Alarm.Kind.HELD_OPEN,
}
#: event kind → the alarm it raises
EVENT_ALARMS = {
    DoorEvent.Kind.FORCED_OPEN: Alarm.Kind.FORCED_OPEN,
    DoorEvent.Kind.HELD_OPEN: Alarm.Kind.HELD_OPEN,
}
#: an event this much older than an alarm of its door and kind is still that alarm's occurrence
#: (the state pull may see the door forced before the event pull brings the event)
SAME_OCCURRENCE = timedelta(minutes=2)


def offline_alarm_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "DOORS_OFFLINE_ALARM_MINUTES", 5))


def _raise(**fields) -> Alarm | None:
    """Create the alarm unless one of its (door/device, kind) is still open."""
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(**fields)
            # the delivery row commits with the alarm, or neither does
            notify.emit("door_alarm.raised", f"alarm:{alarm.pk}", alarm_event(alarm))
    except IntegrityError:
        return None
    if alarm.door_id:
        Door.objects.filter(pk=alarm.door_id).update(changed_at=timezone.now())
    return alarm


def alarm_event(alarm: Alarm) -> dict:
    """What a webhook receiver hears of an alarm."""
    return {
        "id": alarm.pk,
        "kind": alarm.kind,
        "door": alarm.door_id,
        "device": alarm.device_id,
        "place": str(alarm.place) if alarm.place else None,
        "raised_at": alarm.raised_at,
        "description": alarm.description,
        "acknowledged_at": alarm.acknowledged_at,
        "acknowledged_by": alarm.acknowledged_by.get_username() if alarm.acknowledged_by else None,
        "comment": alarm.comment,
    }


def raise_for_state(door: Door, previous_change: datetime | None, now: datetime) -> Alarm | None:
    """The door just entered ``door.state``; ``previous_change`` is when its old state began."""
    kind = STATE_ALARMS.get(door.state)
    if kind is None:
        return None
    seen = Alarm.objects.filter(door=door, kind=kind)
    if previous_change is not None and seen.filter(raised_at__gte=previous_change).exists():
        return None
    return _raise(
        kind=kind,
        door=door,
        raised_at=now,
        source=Alarm.Source.STATE,
        description=f"{door.name} reported {door.get_state_display().lower()}",
    )


def raise_for_events(account_id: int, vendor_keys: list[str]) -> int:
    """Alarms for the newly stored events among ``vendor_keys``: forced, held open, tamper."""
    events = DoorEvent.objects.filter(account_id=account_id, vendor_key__in=vendor_keys).filter(
        Q(kind__in=list(EVENT_ALARMS)) | Q(description__icontains="tamper")
    )
    raised = 0
    for event in events.select_related("door", "device").order_by("occurred_at"):
        kind = EVENT_ALARMS.get(event.kind, Alarm.Kind.TAMPER)
        place = {"door": event.door} if event.door_id else {"device": event.device}
        if not (event.door_id or event.device_id):
            continue
        if Alarm.objects.filter(
            kind=kind, raised_at__gte=event.occurred_at - SAME_OCCURRENCE, **place
        ).exists():
            continue
        if _raise(
            kind=kind,
            raised_at=event.occurred_at,
            source=Alarm.Source.EVENT,
            event=event,
            description=event.description[:200],
            **place,
        ):
            raised += 1
    return raised


def raise_offline_alarms(now: datetime | None = None) -> int:
    """Devices offline for longer than the setting get an alarm, once per time they went offline."""
    now = now or timezone.now()
    raised = 0
    offline = Device.objects.filter(
        gone_at__isnull=True, online=False, offline_since__lte=now - offline_alarm_after()
    )
    for device in offline:
        if Alarm.objects.filter(
            device=device, kind=Alarm.Kind.DEVICE_OFFLINE, raised_at__gte=device.offline_since
        ).exists():
            continue
        if _raise(
            kind=Alarm.Kind.DEVICE_OFFLINE,
            device=device,
            raised_at=device.offline_since,
            source=Alarm.Source.DEVICE,
            description=f"{device.name} has been offline since "
            f"{timezone.localtime(device.offline_since):%Y-%m-%d %H:%M}",
        ):
            raised += 1
    return raised


def acknowledge(alarm: Alarm, user, comment: str, request=None) -> Alarm:
    """Close an open alarm with the person's comment; the audit log keeps who and why."""
    if not user.has_perm("doors.acknowledge_alarm"):
        raise PermissionDenied(
            "Acknowledging alarms needs the permission “Can acknowledge alarms”."
        )
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Say what was found or done before acknowledging."})
    with transaction.atomic():
        locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError(
                {"comment": f"{locked.acknowledged_by} acknowledged this alarm already."}
            )
        locked.acknowledged_by = user
        locked.acknowledged_at = timezone.now()
        locked.comment = comment
        locked.save(update_fields=["acknowledged_by", "acknowledged_at", "comment"])
        if locked.door_id:
            Door.objects.filter(pk=locked.door_id).update(changed_at=locked.acknowledged_at)
        audit.record(
            "alarm.acknowledge",
            request=request,
            actor=user,
            obj=locked,
            before={"acknowledged": False},
            after={"acknowledged": True, "comment": comment},
        )
        notify.emit("door_alarm.acknowledged", f"alarm:{locked.pk}", alarm_event(locked))
    return locked
