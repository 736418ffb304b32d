from celery import shared_task

from portal.core.heartbeat import beat


@shared_task(name="portal.core.tasks.heartbeat")
def heartbeat():
    beat(heartbeat.request.hostname or "worker")
