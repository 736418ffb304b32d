"""The daily prune, scheduled by beat (``prune-history`` in settings)."""

from celery import shared_task

from portal.retention.prune import prune_history


@shared_task(name="portal.retention.tasks.prune_history")
def prune_history_task() -> dict[str, int]:
    return prune_history()
