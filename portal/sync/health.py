"""What the sync health page shows per account, computed with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from portal.sync.models import OutboxMessage, SyncRun, UnmatchedPerson, VendorAccount
from portal.sync.run_days import LongTerm, long_term
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
    #: the last year's runs, summed per day (kept after the runs themselves are pruned)
    long_term: LongTerm | None = None

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
    latest, successes = _latest_runs(accounts)
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
    sums = long_term(ids)
    result = []
    for account in accounts:
        result.append(
            AccountHealth(
                account=account,
                streams=[
                    StreamHealth(
                        stream,
                        latest.get((account.pk, stream)),
                        successes.get((account.pk, stream)),
                    )
                    for stream in streams_of(account)
                ],
                failed_messages=failed.get(account.pk, []),
                pending_messages=pending.get(account.pk, 0),
                unmatched=unmatched.get(account.pk, 0),
                long_term=sums.get(account.pk),
            )
        )
    return result


def _latest_runs(accounts) -> tuple[dict[tuple[int, str], SyncRun], dict[tuple[int, str], object]]:
    """Each (account, stream)'s latest run and latest success time, in two queries.

    One row per account with a correlated subquery per stream, each an index lookup on
    (account, stream[, status], started_at): the cost does not grow with the runs kept.
    """
    streams = sorted({stream for account in accounts for stream in streams_of(account)})
    if not accounts or not streams:
        return {}, {}
    # ordered by the index's own column alone, so the index answers it (no sort on a tie-break)
    runs = SyncRun.objects.filter(account=OuterRef("pk")).order_by("-started_at")
    succeeded = runs.filter(status=SyncRun.Status.SUCCEEDED)
    annotations = {}
    for number, stream in enumerate(streams):
        annotations[f"last_{number}"] = Subquery(runs.filter(stream=stream).values("id")[:1])
        annotations[f"success_{number}"] = Subquery(
            succeeded.filter(stream=stream).values("finished_at")[:1]
        )
    rows = VendorAccount.objects.filter(pk__in=[a.pk for a in accounts]).values("pk", **annotations)
    latest_ids, successes = {}, {}
    for row in rows:
        for number, stream in enumerate(streams):
            if row[f"last_{number}"] is not None:
                latest_ids[(row["pk"], stream)] = row[f"last_{number}"]
            if row[f"success_{number}"] is not None:
                successes[(row["pk"], stream)] = row[f"success_{number}"]
    by_id = SyncRun.objects.in_bulk(list(latest_ids.values()))
    latest = {key: by_id[run_id] for key, run_id in latest_ids.items() if run_id in by_id}
    return latest, successes
