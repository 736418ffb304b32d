"""Celery tasks of the API app (on the push queue): a plain function does the work."""

from celery import shared_task

from portal.api.webhooks.delivery import drain


@shared_task(name="portal.api.tasks.deliver_webhooks")
def deliver_webhooks() -> int:
    return drain()
