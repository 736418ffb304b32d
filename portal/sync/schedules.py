"""Default pull schedules per account and stream, kept in django-celery-beat so admins can edit them."""

from __future__ import annotations

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from connectors.registry import connector_class
from portal.sync.models import VendorAccount

#: seconds between pulls; doors are watched live, people change rarely
DEFAULT_EVERY = {
    "door_state": 10,
    "door_events": 10,
    "lock_events": 30,
    "punches": 60,
    "time_cards": 60,
    "people": 15 * 60,
    "departments": 60 * 60,
    "positions": 60 * 60,
    "sites": 60 * 60,
    "access_groups": 60 * 60,
    "devices": 60 * 60,
    "doors": 60 * 60,
}
#: the order a full "sync now" runs streams in: references before what points at them
STREAM_ORDER = (
    "sites",
    "departments",
    "positions",
    "access_groups",
    "people",
    "devices",
    "doors",
    "door_state",
    "door_events",
    "lock_events",
    "punches",
    "time_cards",
)


def streams_of(account: VendorAccount) -> list[str]:
    reads = connector_class(account.kind).capabilities.reads
    return [stream for stream in STREAM_ORDER if stream in reads]


def task_name(account_id: int, stream: str) -> str:
    return f"sync:{account_id}:{stream}"


def ensure_schedules(account: VendorAccount) -> None:
    """Create missing schedules and switch all of them with the account; keeps edited intervals."""
    enabled = account.enabled and account.pull_enabled
    for stream in streams_of(account):
        every, _ = IntervalSchedule.objects.get_or_create(
            every=DEFAULT_EVERY[stream], period=IntervalSchedule.SECONDS
        )
        task, created = PeriodicTask.objects.get_or_create(
            name=task_name(account.pk, stream),
            defaults={
                "task": "portal.sync.tasks.pull_stream",
                "interval": every,
                "args": json.dumps([account.pk, stream]),
                "enabled": enabled,
                "description": f"Pull {stream} from {account.name}",
            },
        )
        if not created and task.enabled != enabled:
            task.enabled = enabled
            task.save(update_fields=["enabled"])


def remove_schedules(account_id: int) -> None:
    PeriodicTask.objects.filter(name__startswith=f"sync:{account_id}:").delete()
