"""The Celery application: broker and behaviour come from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# One direct exchange per queue: a task routed to "doors" lands in the doors queue only.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("celery", "sync", "push", "doors")
]
app.autodiscover_tasks()
