"""Celery tasks of the doors app: the door tick every few seconds, offline alarms every minute."""

from celery import shared_task

from portal.doors.alarms import raise_offline_alarms
from portal.doors.commands import expire_unsent, release_due_unlocks
from portal.doors.lockdown import hold_lockdowns


@shared_task(name="portal.doors.tasks.door_tick")
def door_tick() -> dict[str, int]:
    """Timed unlocks that are due, lockdowns to hold, commands whose message never came."""
    return {
        "expired": expire_unsent(),
        "released": release_due_unlocks(),
        "relocked": hold_lockdowns(),
    }


@shared_task(name="portal.doors.tasks.raise_offline_alarms")
def raise_offline_alarms_task() -> int:
    return raise_offline_alarms()
