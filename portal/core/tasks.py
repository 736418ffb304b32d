from celery import shared_task
from celery.signals import beat_init

from portal.core.heartbeat import beat


@shared_task(name="portal.core.tasks.heartbeat")
def heartbeat():
    beat(heartbeat.request.hostname or "worker")


@beat_init.connect(dispatch_uid="portal.core.tasks.first_heartbeat")
def send_first_heartbeat(sender=None, **kwargs):
    """Beat's schedule waits a full interval after a fresh start; one now tells the dashboard
    (and ``make run``, which waits for it) at once that beat, Redis and a worker all work."""
    heartbeat.delay()
