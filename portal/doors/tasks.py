"""Celery tasks of the doors app (``doors`` queue): the door tick beat runs every few seconds."""

from celery import shared_task

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
