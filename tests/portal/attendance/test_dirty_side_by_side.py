"""The dirty-day task drains its marks with two connections side by side on PostgreSQL.

A batch is Python's work (building the cards) then the server's (the upsert, the commit, the next
claim): one connection after the other, each waited for the other. Two connections, as two
workers would, overlap them; the cards and the marks must be those of one connection alone.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from portal.attendance import dirty
from portal.attendance.dirty import mark_dirty, recompute_dirty_days
from portal.attendance.models import DirtyDay, Punch, TimeCard
from portal.attendance.store import stored_digest
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.attendance.conftest import MONDAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def punched_week(people=6):
    """Each person in and out on three days, stored and marked as a pull does."""
    account = VendorAccountFactory(kind="biotime")
    persons = [PersonFactory(department=None) for _ in range(people)]
    rows = []
    for person in persons:
        for offset in range(3):
            start = datetime.combine(MONDAY + timedelta(days=offset), datetime.min.time(), UTC)
            for hours, direction in ((7, "in"), (15, "out")):
                rows.append(
                    Punch(
                        account=account,
                        vendor_id=f"{person.pk}-{offset}-{direction}",
                        person=person,
                        punched_at=start + timedelta(hours=hours),
                        direction=direction,
                    )
                )
    Punch.objects.bulk_create(rows)
    mark_dirty((row.person_id, row.punched_at) for row in rows)
    return persons


def backends_of_batches(monkeypatch) -> list[int]:
    """The server process of each batch's connection, as batches are taken."""
    real, seen = dirty.recompute_batch, []

    def spied(size=dirty.BATCH):
        taken = real(size)
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                seen.append(cursor.fetchone()[0])
            time.sleep(0.05)  # the other connection takes its turn meanwhile
        return taken

    monkeypatch.setattr(dirty, "recompute_batch", spied)
    return seen


def test_more_than_a_batch_is_drained_by_two_connections_leaving_one_connections_cards(
    monkeypatch,
):
    punched_week()
    marks = DirtyDay.objects.count()
    backends = backends_of_batches(monkeypatch)

    assert recompute_dirty_days(size=2) == marks == 18
    assert len(set(backends)) == 2 and len(backends) == 9
    assert not DirtyDay.objects.exists()
    side_by_side = stored_digest()
    assert TimeCard.objects.filter(worked_minutes__gt=0).count() == 18

    TimeCard.objects.all().delete()
    DirtyDay.objects.bulk_create(
        DirtyDay(person_id=person, day=day)
        for person, day in dirty.dirty_days(Punch.objects.values_list("person_id", "punched_at"))
    )
    monkeypatch.setattr(dirty, "DRAINERS", 1)
    assert recompute_dirty_days(size=2) == 18
    assert stored_digest() == side_by_side


def test_one_batch_or_less_stays_on_the_callers_connection(monkeypatch):
    punched_week(people=1)
    backends = backends_of_batches(monkeypatch)
    threads = threading.active_count()
    assert recompute_dirty_days(size=3) == 3
    assert len(set(backends)) == 1 and threading.active_count() == threads


def test_a_batch_takes_no_more_marks_than_its_size_whatever_the_plan():
    """A plan that scans the choice of marks again for each row it deletes (a nested loop, which
    the planner may pick on its statistics) must not lock and delete the next marks each time."""
    punched_week(people=2)
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("hashjoin", "mergejoin", "material", "hashagg", "sort"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        assert len(dirty._take_marks(2)) == 2
    assert DirtyDay.objects.count() == 4
