"""Celery tasks of the people app: beat carries out offboardings whose time has come."""

from celery import shared_task

from portal.people.services import run_due_offboardings


@shared_task(name="portal.people.tasks.run_due_offboardings")
def run_due_offboardings_task() -> list[int]:
    return run_due_offboardings()
