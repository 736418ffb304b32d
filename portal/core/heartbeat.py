"""Worker heartbeat: beat schedules a task, a worker runs it, the dashboard reads its time.

A fresh heartbeat therefore proves Redis, beat and at least one worker are all working.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from portal.core.models import WorkerHeartbeat

#: beat sends one every 15 s; allow a missed one before calling the worker silent
STALE_AFTER = timedelta(seconds=45)


def beat(hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"last_beat_at": timezone.now()}
    )


@dataclass(frozen=True)
class WorkerStatus:
    healthy: bool
    last_beat_at: datetime | None
    hostnames: list[str]

    @property
    def summary(self) -> str:
        if self.last_beat_at is None:
            return (
                "No worker has reported yet. Start the Celery worker and beat (make run does both)."
            )
        age = int((timezone.now() - self.last_beat_at).total_seconds())
        if self.healthy:
            return f"Worker and beat running: last heartbeat {age} s ago from {', '.join(self.hostnames)}."
        return (
            f"No heartbeat for {age} s: the Celery worker, beat or Redis has stopped. "
            "Vendor syncs and door commands wait until it is back."
        )


def worker_status() -> WorkerStatus:
    beats = list(WorkerHeartbeat.objects.order_by("-last_beat_at"))
    if not beats:
        return WorkerStatus(False, None, [])
    newest = beats[0].last_beat_at
    fresh = [b.hostname for b in beats if timezone.now() - b.last_beat_at <= STALE_AFTER]
    return WorkerStatus(bool(fresh), newest, fresh or [beats[0].hostname])
