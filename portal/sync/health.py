"""What the sync health page shows per account, computed with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from portal.sync.models import OutboxMessage, SyncRun, UnmatchedPerson, VendorAccount
from portal.sync.schedules import streams_of


@dataclass
class StreamHealth:
    stream: str
    last_run: SyncRun | None = None
    last_success_at: object = None

    @property
    def backing_off(self) -> bool:
        """After failures in a row, scheduled pulls wait until the last run's ``resume_after``."""
        run = self.last_run
        return bool(
            run
            and run.status == SyncRun.Status.FAILED
            and run.resume_after
            and run.resume_after > timezone.now()
        )

    @property
    def lag(self) -> timedelta | None:
        return timezone.now() - self.last_success_at if self.last_success_at else None


@dataclass
class AccountHealth:
    account: VendorAccount
    streams: list[StreamHealth] = field(default_factory=list)
    failed_messages: list[OutboxMessage] = field(default_factory=list)
    pending_messages: int = 0
    unmatched: int = 0

    @property
    def running(self) -> bool:
        return any(s.last_run and s.last_run.status == SyncRun.Status.RUNNING for s in self.streams)

    @property
    def errors(self) -> list[StreamHealth]:
        return [
            s for s in self.streams if s.last_run and s.last_run.status == SyncRun.Status.FAILED
        ]

    @property
    def last_success_at(self):
        times = [s.last_success_at for s in self.streams if s.last_success_at]
        return max(times) if times else None

    @property
    def oldest_success_at(self):
        times = [s.last_success_at for s in self.streams if s.last_success_at]
        return min(times) if times and len(times) == len(self.streams) else None


def account_health(accounts=None) -> list[AccountHealth]:
    accounts = list(accounts if accounts is not None else VendorAccount.objects.all())
    ids = [a.pk for a in accounts]
    latest_ids = (
        SyncRun.objects.filter(account_id__in=ids)
        .values("account_id", "stream")
        .annotate(last=Max("id"))
    )
    latest = SyncRun.objects.in_bulk([row["last"] for row in latest_ids])
    successes = {
        (row["account_id"], row["stream"]): row["at"]
        for row in SyncRun.objects.filter(account_id__in=ids, status=SyncRun.Status.SUCCEEDED)
        .values("account_id", "stream")
        .annotate(at=Max("finished_at"))
    }
    failed: dict[int, list[OutboxMessage]] = {}
    for message in OutboxMessage.objects.filter(
        account_id__in=ids, status=OutboxMessage.Status.FAILED
    ).order_by("-id")[:200]:
        failed.setdefault(message.account_id, []).append(message)
    pending = dict(
        OutboxMessage.objects.filter(account_id__in=ids, status=OutboxMessage.Status.PENDING)
        .values_list("account_id")
        .annotate(n=Count("id"))
    )
    unmatched = dict(
        # a vendor's system account is listed in the queue but never waits for HR
        UnmatchedPerson.objects.filter(account_id__in=ids, system_account=False)
        .values_list("account_id")
        .annotate(n=Count("id"))
    )
    result = []
    for account in accounts:
        runs = {run.stream: run for run in latest.values() if run.account_id == account.pk}
        result.append(
            AccountHealth(
                account=account,
                streams=[
                    StreamHealth(stream, runs.get(stream), successes.get((account.pk, stream)))
                    for stream in streams_of(account)
                ],
                failed_messages=failed.get(account.pk, []),
                pending_messages=pending.get(account.pk, 0),
                unmatched=unmatched.get(account.pk, 0),
            )
        )
    return result
