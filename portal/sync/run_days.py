"""Daily sums of sync runs (SyncRunDay): written once a day is over, read by the health page.

A day is summed once, from all of its runs, before retention prunes any of them; the health page's
long-term figures read only the sums, so a year of history costs a few hundred rows per stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.utils import timezone

from portal.sync.models import SyncRun, SyncRunDay

#: statuses that count as a failed run in the sums
FAILED = [SyncRun.Status.FAILED, SyncRun.Status.INTERRUPTED]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day's start and end in the portal's time zone, as aware datetimes."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def summarised_until() -> date | None:
    """The first day not yet summed (every day before it has its sums), or None if none is."""
    last = SyncRunDay.objects.aggregate(last=Max("day"))["last"]
    return last + timedelta(days=1) if last else None


def summarise_finished_days(today: date | None = None) -> int:
    """Sum every finished day (before ``today``) not summed yet; returns how many days it summed.

    One grouped query per day over the ``started_at`` index, each day in its own transaction.
    """
    today = today or timezone.localdate()
    first = summarised_until()
    if first is None:
        earliest = SyncRun.objects.aggregate(at=Min("started_at"))["at"]
        if earliest is None:
            return 0
        first = timezone.localtime(earliest).date()
    day, summed = first, 0
    while day < today:
        _summarise(day)
        summed += 1
        day += timedelta(days=1)
    return summed


def _summarise(day: date) -> None:
    start, end = day_bounds(day)
    rows = (
        SyncRun.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("account_id", "stream")
        .annotate(
            runs=Count("id"),
            failed=Count("id", filter=Q(status__in=FAILED)),
            fetched=Sum("fetched"),
            written=Sum(F("created") + F("updated")),
            duration=Sum(
                ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
            ),
        )
        .order_by()
    )
    SyncRunDay.objects.bulk_create(
        [
            SyncRunDay(
                account_id=row["account_id"],
                stream=row["stream"],
                day=day,
                runs=row["runs"],
                failed=row["failed"],
                fetched=row["fetched"] or 0,
                written=row["written"] or 0,
                duration_seconds=round(_seconds(row["duration"]), 3),
            )
            for row in rows
        ],
        ignore_conflicts=True,  # a day summed by a run that overlapped this one stays as it was
    )


def _seconds(duration) -> float:
    """A summed duration as seconds (None when no run of the day finished)."""
    if duration is None:
        return 0.0
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return duration / 1_000_000  # SQLite sums microseconds


@dataclass(frozen=True)
class LongTerm:
    """An account's sums over the last ``days`` days (finished days only)."""

    days: int
    runs: int = 0
    failed: int = 0
    fetched: int = 0
    written: int = 0
    duration_seconds: float = 0.0

    @property
    def hours(self) -> float:
        return self.duration_seconds / 3600


def long_term(account_ids, days: int = 365) -> dict[int, LongTerm]:
    """Per account, the sums of its last ``days`` summed days: one grouped query."""
    since = timezone.localdate() - timedelta(days=days)
    return {
        row["account_id"]: LongTerm(
            days=days,
            runs=row["runs"] or 0,
            failed=row["failed"] or 0,
            fetched=row["fetched"] or 0,
            written=row["written"] or 0,
            duration_seconds=row["duration"] or 0.0,
        )
        for row in SyncRunDay.objects.filter(account_id__in=list(account_ids), day__gte=since)
        .values("account_id")
        .annotate(
            runs=Sum("runs"),
            failed=Sum("failed"),
            fetched=Sum("fetched"),
            written=Sum("written"),
            duration=Sum("duration_seconds"),
        )
        .order_by()
    }
