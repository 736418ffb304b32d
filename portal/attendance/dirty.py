"""Timecards rebuilt after the pull, not inside it: the pull marks person-days, a task builds them.

A vendor pull stores a page of punches and marks the person-days they landed on
(:func:`mark_dirty`, in the page's transaction). The ``recompute_dirty_days`` task takes a batch
of marks, recomputes those days and their neighbours (:func:`portal.attendance.compute.recompute`)
and deletes the marks in one transaction: a worker killed mid-batch leaves the marks for the next
run. Hand corrections (:mod:`portal.attendance.services`) still recompute inline.

Two workers never take the same marks on PostgreSQL (``SKIP LOCKED``); on SQLite the batch's
transaction holds the write lock (``IMMEDIATE``), so batches and pulls take turns.

On PostgreSQL one task drains with two connections side by side (:data:`DRAINERS`), as two workers
would: a batch is Python's work (build the cards) then the server's (upsert, commit, take the next
marks, read their punches); one after the other, the server's share waited for Python's and the
other way round. Side by side, one connection's batch is built while the other's is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from portal.attendance.compute import no_cycle_collection, recompute
from portal.attendance.models import DirtyDay
from portal.core.pg_arrays import array_literal
from portal.core.queueing import NUDGE_RETRY_POLICY, send_on_commit
from portal.people.models import Person

TASK = "portal.attendance.tasks.recompute_dirty_days"
#: person-days per claimed batch: small enough that a pull waiting on one is not held long (a
#: few tenths of a second: ~400 people's weeks), large enough that the five queries of a batch's
#: people context and its transaction are not paid for every hundred people
BATCH = 2_000
#: PostgreSQL: connections (threads) draining the marks at once, when there is more than a batch
DRAINERS = 2
#: the insert's parameters stay well under SQLite's 32,766 bound variables
ROWS_PER_STATEMENT = 5_000


def dirty_days(punches: Iterable[tuple[int | None, datetime]]) -> set[tuple[int, date]]:
    """The (person, server-local date) pairs of these punches; punches with no person skipped."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return {(person_id, at.astimezone(zone).date()) for person_id, at in punches if person_id}


def mark_dirty(punches: Iterable[tuple[int | None, datetime]]) -> int:
    """Mark the person-days of these (person id, instant) punches for the task; returns how many
    pairs were given. Call it in the transaction that stored the punches."""
    return mark_days(dirty_days(punches))


def mark_days(days: Iterable[tuple[int, date]]) -> int:
    """Mark these (person id, server-local date) pairs, worked out beforehand (a pull's read-ahead
    thread does, see :class:`portal.sync.mirror.attendance.PunchWriter`); returns how many."""
    pairs = sorted(set(days))  # one order for every writer: no lock-order deadlocks
    if not pairs:
        return 0
    table = connection.ops.quote_name(DirtyDay._meta.db_table)
    if connection.vendor == "postgresql":
        # A mark a batch has claimed (locked, to be deleted) must survive it: "DO UPDATE ... WHERE
        # false" writes nothing but locks the mark, so a batch running now either waits for these
        # punches to commit before it reads them, or skips the mark and leaves it for the next
        # batch; and a mark the batch is deleting is inserted again once the batch commits.
        on_conflict = "DO UPDATE SET day = EXCLUDED.day WHERE false"
    else:
        on_conflict = "DO NOTHING"  # SQLite: one writer at a time, nothing to race with
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # two arrays, two parameters however many pairs; written as array literals here (the
            # driver would quote every element of a list on its own)
            cursor.execute(
                f"INSERT INTO {table} (person_id, day) SELECT * FROM unnest(%s::bigint[],"
                f" %s::date[]) ON CONFLICT (person_id, day) {on_conflict}",
                [
                    array_literal(person for person, _ in pairs),
                    array_literal(day for _, day in pairs),
                ],
            )
            return len(pairs)
        for start in range(0, len(pairs), ROWS_PER_STATEMENT):
            chunk = pairs[start : start + ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} (person_id, day) VALUES {', '.join(['(%s, %s)'] * len(chunk))}"
                f" ON CONFLICT (person_id, day) {on_conflict}",
                [value for pair in chunk for value in pair],
            )
    return len(pairs)


def queue_recompute() -> None:
    """Queue the task once the marks commit (beat runs it every few seconds too, so a broker
    that is down is not waited for: the pull that marked the days ends at once)."""
    send_on_commit(
        TASK,
        "celery",
        fallback="the recompute-dirty-days beat",
        retry_policy=NUDGE_RETRY_POLICY,
    )


def recompute_batch(size: int = BATCH) -> int:
    """Claim up to ``size`` marks, recompute their days, delete them; returns how many marks."""
    with transaction.atomic():
        claimed = _take_marks(size)
        if not claimed:
            return 0
        claimed = _of_people_still_there(claimed)
        recompute(
            (person_id, day + timedelta(days=offset))
            for person_id, day in claimed
            for offset in (-1, 0, 1)  # as compute.touched_days: night shifts, other zones
        )
    return len(claimed)


def _of_people_still_there(marks: list[tuple[int, date]]) -> list[tuple[int, date]]:
    """The marks whose person exists: a pull may mark a person deleted meanwhile (the marks'
    person is not checked by the database); theirs are dropped (taken, so deleted)."""
    people = {person_id for person_id, _ in marks}
    present = set(Person.objects.filter(pk__in=people).values_list("pk", flat=True))
    if len(present) == len(people):
        return marks
    return [(person_id, day) for person_id, day in marks if person_id in present]


def _take_marks(size: int) -> list[tuple[int, date]]:
    """Delete up to ``size`` marks and return their (person, day): in the batch's transaction, so
    they come back if it fails. One statement: claiming and deleting apart, the deletion was two
    thousand ids sent back.

    By person, not by arrival: a pull marks page by page in time order, so one person's days lie a
    page apart; taken together, their week is read and built once, not per day."""
    table = connection.ops.quote_name(DirtyDay._meta.db_table)
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: a mark another batch holds, or a pull's transaction is marking again, is
        # left. The choice is materialized, made once: as a subquery of the DELETE, a plan that
        # scans it again for each row (a nested loop) locks the next marks each time, past LIMIT.
        materialized, skip = " MATERIALIZED", " FOR UPDATE SKIP LOCKED"
    else:
        materialized, skip = "", ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH taken AS{materialized} (SELECT id FROM {table} ORDER BY person_id, day"
            f" LIMIT %s{skip}) DELETE FROM {table} WHERE id IN (SELECT id FROM taken)"
            " RETURNING person_id, day",
            [size],
        )
        return cursor.fetchall()


def recompute_dirty_days(size: int = BATCH) -> int:
    """Recompute every marked person-day, a batch at a time; returns how many marks.

    On PostgreSQL, with more than one batch waiting and no transaction of the caller's open, the
    batches are drained by :data:`DRAINERS` connections side by side (another connection would not
    see what a caller's open transaction wrote: inside one, they run on the caller's)."""
    if (
        DRAINERS < 2
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not _more_than(size)
    ):
        return _drain(size)
    with no_cycle_collection(), ThreadPoolExecutor(DRAINERS - 1) as pool:
        helpers = [pool.submit(_drain_on_own_connection, size) for _ in range(DRAINERS - 1)]
        done = _drain(size)
        return done + sum(helper.result() for helper in helpers)


def _drain(size: int) -> int:
    done = 0
    while batch := recompute_batch(size):
        done += batch
    return done


def _drain_on_own_connection(size: int) -> int:
    """:func:`_drain` in a thread: Django gives it a connection of its own, closed at the end."""
    try:
        return _drain(size)
    finally:
        connection.close()


def _more_than(size: int) -> bool:
    table = connection.ops.quote_name(DirtyDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1 OFFSET %s", [size])
        return cursor.fetchone() is not None
