"""Celery tasks of the attendance app: a plain function does the work (see dirty.py)."""

from celery import shared_task

from portal.attendance.dirty import recompute_dirty_days


@shared_task(name="portal.attendance.tasks.recompute_dirty_days")
def recompute_dirty_days_task() -> int:
    """The timecards of the person-days pulls marked since the last run."""
    return recompute_dirty_days()
