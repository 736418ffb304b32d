"""Celery tasks of the doors app: the beat tick that raises offline-device alarms."""

from celery import shared_task

from portal.doors.alarms import raise_offline_alarms


@shared_task(name="portal.doors.tasks.raise_offline_alarms")
def raise_offline_alarms_task() -> int:
    return raise_offline_alarms()
