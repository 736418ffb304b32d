"""Pull one stream of one vendor account into the mirror, page by page.

Pages are stored in batches (:mod:`portal.sync.batching`: several pages, one transaction). A batch's
upserts and the cursor's advance commit together, so a saved cursor is never ahead of saved rows: a
worker killed mid-batch resumes after the last committed batch (repeating at most one batch), and
the connector's overlap window plus idempotent upserts make the repeat harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from connectors import errors
from connectors.paging import prefetch
from portal.sync import backoff
from portal.sync.batching import BATCH_ROWS, PAGES_AHEAD, batches, prepared_pages
from portal.sync.connectors import kept_connector
from portal.sync.lease import LeaseLost, stream_lease
from portal.sync.mirror import writer_for
from portal.sync.models import SyncRun, VendorAccount
from portal.sync.runtime import tuned_for_pull
from portal.sync.vendor_text import json_without_nul

log = logging.getLogger(__name__)
MAX_SKIPPED_REASONS = 20


def pull_stream(
    account_id: int,
    stream: str,
    *,
    full: bool = False,
    transport=None,
    sleep: Callable[[float], None] = time.sleep,
    on_page: Callable[[SyncRun], None] | None = None,
    task_id: str | None = None,
    scheduled: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> SyncRun:
    """Read ``stream`` from the stored cursor (``full``: from the beginning) and upsert the mirror.

    Raises :class:`portal.sync.lease.StreamBusy` when another pull of the stream runs, and
    :class:`portal.sync.backoff.PullNotDue` without calling the vendor when the account is
    paused or (``scheduled`` pulls only) the stream is backing off after failures.
    ``task_id``: the Celery task's id, so its redelivery can take over a dead run's lease.
    ``on_page``: called with the run after each committed batch; ``batch_rows``: the rows a batch
    gathers before it is stored (1: every page in its own transaction).
    """
    account = VendorAccount.objects.get(pk=account_id)
    backoff.check_account_not_paused(account)
    young = writer_for(stream).young_collections
    with stream_lease(account, stream, task_id=task_id) as lease, tuned_for_pull(young):
        cursor = lease.cursor
        if scheduled:
            backoff.check_stream_due(cursor)
        run = SyncRun.objects.create(account=account, stream=stream)
        writer = writer_for(stream)(account, run)
        start = None if full else (cursor.value or None)
        seen: set[str] | None = set() if start is None and writer.tracks_gone else None
        try:
            with kept_connector(account, transport=transport, sleep=sleep) as connector:
                writer.load()  # here: the read-ahead thread prepares pages, never queries
                read = connector.read(stream, start)
                pages = prefetch(
                    prepared_pages(writer, read, keep_ids=seen is not None), depth=PAGES_AHEAD
                )
                most = min(batch_rows, writer.batch_rows or batch_rows)
                for batch in batches(pages, rows=most, waiting=pages.waiting):
                    with transaction.atomic():
                        lease.checkpoint(**_advance(batch))
                        writer.store_batch([page.prepared for page in batch])
                        for page in batch:
                            _note_skipped(run, page.skipped_reasons)
                            _note_shortfall(run, page.notes)
                            run.pages += 1
                            run.fetched += page.rows
                        run.save()
                    if seen is not None:
                        for page in batch:
                            seen.update(page.vendor_ids)
                    if on_page:
                        on_page(run)
                _remember_rate_limit(account, connector)
                if stream == "people":
                    _remember_capabilities(account, connector)
            with transaction.atomic():
                lease.checkpoint()
                if seen is not None and not run.warnings:  # rows went missing in paging:
                    writer.mark_gone(seen)  # they are not gone from the vendor
                writer.finish()
            run.status = SyncRun.Status.SUCCEEDED
            backoff.note_success(cursor)
        except LeaseLost as exc:
            run.status = SyncRun.Status.INTERRUPTED
            run.error = str(exc)
        except errors.RateLimitError as exc:
            # Not a failure: the pages read so far are stored and the cursor holds; the next
            # scheduled pull goes on from there once the vendor's budget has refilled.
            run.status = SyncRun.Status.DEFERRED
            wait = exc.retry_after if exc.retry_after is not None else 60
            run.resume_after = timezone.now() + timedelta(seconds=wait)
            run.error = f"Paused: {exc.message}"
            backoff.note_wait(cursor, run.resume_after)
        except errors.ConnectorError as exc:
            run.status = SyncRun.Status.FAILED
            run.error = f"{type(exc).__name__}: {exc.message}"
            log.warning("pull %s/%s failed: %s", account.name, stream, run.error)
            if backoff.pauses_account(exc):
                backoff.pause_account(account.pk, exc)
            else:
                backoff.note_failure(cursor)
                run.resume_after = cursor.next_attempt_at
        finally:
            run.finished_at = timezone.now()
            if run.status == SyncRun.Status.RUNNING:  # an unexpected exception is on its way up
                run.status = SyncRun.Status.FAILED
                run.error = run.error or "Stopped by an internal error; see the worker log."
            run.save()
    return run


def _advance(batch) -> dict:
    """The cursor after the batch's last page that moved it (none moved: renew the lease only)."""
    for page in reversed(batch):
        if page.cursor is not None:
            return {"value": page.cursor}
    return {}


def _remember_rate_limit(account: VendorAccount, connector) -> None:
    """Keep the vendor's request budget for the health page (only vendors that meter requests)."""
    state = getattr(connector, "rate_limit_state", None)
    if state is not None:
        VendorAccount.objects.filter(pk=account.pk).update(rate_limit=state().as_dict())


def _remember_capabilities(account: VendorAccount, connector) -> None:
    """Keep the optional APIs the server has (BioTime 8.0: no resignations) for the pages. The
    people stream has just probed them, so asking costs no request."""
    probe = getattr(connector, "server_capabilities", None)
    if probe is not None:
        found = dict(probe())
        if found != account.server_capabilities:
            VendorAccount.objects.filter(pk=account.pk).update(server_capabilities=found)


def _note_skipped(run: SyncRun, reasons: list[str]) -> None:
    run.skipped += len(reasons)
    room = MAX_SKIPPED_REASONS - len(run.skipped_reasons)
    reasons = [json_without_nul(reason) for reason in reasons[: max(room, 0)]]
    run.skipped_reasons = run.skipped_reasons + reasons


def _note_shortfall(run: SyncRun, notes) -> None:
    """The vendor's count promised rows its pages did not deliver: say so in the run."""
    room = MAX_SKIPPED_REASONS - len(run.warnings)
    run.warnings = run.warnings + [json_without_nul(note) for note in notes[: max(room, 0)]]
