"""The pull marks person-days; the timecard task builds them afterwards (issue 15)."""

import logging
import time
from datetime import UTC, datetime

import pytest

from portal.attendance import dirty
from portal.attendance.compute import recompute, touched_days
from portal.attendance.dirty import recompute_dirty_days
from portal.attendance.models import DirtyDay, Punch, TimeCard
from portal.sync.identity import attach_vendor_history
from portal.sync.pull import pull_stream
from tests.factories import PersonFactory
from tests.portal.attendance.conftest import MONDAY
from tests.portal.sync.conftest import broker_at

pytestmark = pytest.mark.django_db

CARD_FIELDS = (
    "work_date",
    "first_in",
    "last_out",
    "worked_minutes",
    "break_minutes",
    "overtime_minutes",
    "weekly_overtime_minutes",
    "late_minutes",
    "early_minutes",
    "flags",
    "pairs",
    "status",
)


def pull_only(clocking):
    """The pull alone, as the sync worker runs it: no timecard task after it."""
    run = pull_stream(
        clocking.wired.account.pk,
        "punches",
        full=True,
        transport=clocking.wired.transport,
        sleep=lambda s: None,
    )
    assert run.status == "succeeded", run.error
    return run


def punch_a_week(clocking):
    for day in range(3):
        date = MONDAY.replace(day=MONDAY.day + day)
        clocking.punch(date, 8, 0, state=0)
        clocking.punch(date, 12, 0, state=2)
        clocking.punch(date, 12, 30, state=3)
        clocking.punch(date, 17, 15 * day, state=1)


def cards_of(person):
    return [
        tuple(getattr(card, f) for f in CARD_FIELDS)
        for card in TimeCard.objects.filter(person=person).order_by("work_date")
    ]


def test_a_pull_marks_the_days_its_punches_landed_on_and_builds_no_card(clocking):
    punch_a_week(clocking)
    pull_only(clocking)
    marked = set(DirtyDay.objects.values_list("person_id", "day"))
    assert marked == {(clocking.person.pk, MONDAY.replace(day=MONDAY.day + d)) for d in range(3)}
    assert not TimeCard.objects.exists()


def test_the_task_builds_the_cards_the_inline_path_built_and_clears_the_marks(clocking):
    punch_a_week(clocking)
    pull_only(clocking)
    assert recompute_dirty_days() == 3
    from_task = cards_of(clocking.person)
    assert not DirtyDay.objects.exists()

    TimeCard.objects.all().delete()
    recompute(touched_days(Punch.objects.values_list("person_id", "punched_at")))
    assert from_task == cards_of(clocking.person) and len(from_task) >= 3
    assert recompute_dirty_days() == 0  # nothing left to do


def test_a_batch_that_dies_midway_loses_no_day(clocking, monkeypatch):
    punch_a_week(clocking)
    pull_only(clocking)
    real = dirty.recompute

    def dies_after_writing_cards(days):  # as a worker killed before its commit
        real(days)
        raise RuntimeError("worker lost")

    monkeypatch.setattr(dirty, "recompute", dies_after_writing_cards)
    with pytest.raises(RuntimeError):
        recompute_dirty_days()
    assert DirtyDay.objects.count() == 3 and not TimeCard.objects.exists()  # rolled back

    monkeypatch.setattr(dirty, "recompute", real)
    assert recompute_dirty_days() == 3
    assert TimeCard.objects.get(person=clocking.person, work_date=MONDAY).worked_minutes == 510


def test_batches_take_the_marks_a_few_at_a_time_until_none_is_left(clocking):
    punch_a_week(clocking)
    pull_only(clocking)
    assert dirty.recompute_batch(size=2) == 2
    assert DirtyDay.objects.count() == 1
    assert recompute_dirty_days(size=2) == 1
    assert TimeCard.objects.filter(person=clocking.person, worked_minutes__gt=0).count() == 3


def test_pulling_the_same_punches_again_marks_nothing(clocking):
    punch_a_week(clocking)
    pull_only(clocking)
    recompute_dirty_days()
    pull_only(clocking)
    assert not DirtyDay.objects.exists()


def test_punches_attached_by_a_later_link_mark_their_days(clocking):
    punch_a_week(clocking)
    pull_only(clocking)
    recompute_dirty_days()
    Punch.objects.update(person=None)  # as if pulled before the person was linked
    attach_vendor_history(clocking.wired.account, ["99001"])
    assert set(DirtyDay.objects.values_list("day", flat=True)) == {
        MONDAY.replace(day=MONDAY.day + d) for d in range(3)
    }
    assert Punch.objects.filter(person=clocking.person).count() == 12


def test_the_grid_shows_the_card_once_the_task_ran(clocking, client_as):
    clocking.punch(MONDAY, 8, 0, state=0)
    clocking.punch(MONDAY, 16, 30, state=1)
    pull_only(clocking)
    client = client_as("hr")
    span = {"span": "week", "start": f"{MONDAY}"}
    before = client.get("/attendance/timecards/period/", span).content.decode()
    recompute_dirty_days()
    after = client.get("/attendance/timecards/period/", span).content.decode()
    assert "Lena Lauterbach" in before and "Lena Lauterbach" in after
    assert ">8:00<" not in before.replace(" ", "").replace("\n", "")
    assert ">8:00<" in after.replace(" ", "").replace("\n", "")


def test_a_batch_takes_one_persons_days_together_not_in_arrival_order():
    """A pull marks page by page in time order; a batch claims by person, so one person's week
    is read and built once, not once for each of its days."""
    first, second = PersonFactory(), PersonFactory()
    for offset in range(3):  # marked as pages arrive: day by day, both people each day
        day = MONDAY.replace(day=MONDAY.day + offset)
        DirtyDay.objects.create(person=second, day=day)
        DirtyDay.objects.create(person=first, day=day)
    assert dirty.recompute_batch(size=3) == 3
    left = set(DirtyDay.objects.values_list("person_id", flat=True))
    assert left == {max(first.pk, second.pk)}


def test_a_page_with_punches_stored_before_marks_only_the_new_punches_days(clocking):
    punch_a_week(clocking)
    pull_only(clocking)
    recompute_dirty_days()
    friday = MONDAY.replace(day=MONDAY.day + 4)
    clocking.punch(friday, 9, 0, state=0)
    pull_only(clocking)  # one page: the week stored before, and Friday's punch
    assert set(DirtyDay.objects.values_list("person_id", "day")) == {(clocking.person.pk, friday)}


def test_an_account_in_another_zone_than_the_server_marks_the_servers_local_day(clocking, settings):
    """The days are the server's (settings.TIME_ZONE): a punch at 20:00 in Berlin (the account's
    zone) is Tuesday already in Tokyo."""
    settings.TIME_ZONE = "Asia/Tokyo"
    clocking.punch(MONDAY, 20, 0, state=1)
    pull_only(clocking)
    tuesday = MONDAY.replace(day=MONDAY.day + 1)
    assert set(DirtyDay.objects.values_list("person_id", "day")) == {(clocking.person.pk, tuesday)}


def test_queueing_the_recompute_does_not_wait_for_a_broker_that_is_down(
    django_capture_on_commit_callbacks, caplog
):
    # given no broker listening (Celery's default retries sleep 0.2 s + 0.4 s before giving up)
    with (
        broker_at("redis://127.0.0.1:9/0"),
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dirty.queue_recompute()
        # when the marks commit
        start = time.perf_counter()
    waited = time.perf_counter() - start
    # then the pull is told at once (the beat recomputes the days) and nothing failed
    assert "could not queue portal.attendance.tasks.recompute_dirty_days" in caplog.text
    assert waited < 0.3


def test_a_mark_whose_person_was_deleted_meanwhile_is_dropped_and_the_rest_are_built(clocking):
    """The marks' person is not checked by the database: a pull racing a deletion can leave a mark
    for a person who is gone. The task drops it rather than building a card for nobody (which
    the cards' own check refuses at commit: the batch would fail again and again)."""
    punch_a_week(clocking)
    pull_only(clocking)
    gone = PersonFactory()
    gone_pk = gone.pk
    gone.delete()
    # what the racing pull stored: a punch of the person (not checked either) and its day's mark
    Punch.objects.create(
        account=clocking.wired.account,
        vendor_id="raced",
        person_id=gone_pk,
        punched_at=datetime(MONDAY.year, MONDAY.month, MONDAY.day, 8, tzinfo=UTC),
    )
    dirty.mark_days([(gone_pk, MONDAY)])

    recompute_dirty_days()

    assert not DirtyDay.objects.exists()
    assert not TimeCard.objects.filter(person_id=gone_pk).exists()
    from_task = cards_of(clocking.person)
    TimeCard.objects.all().delete()
    theirs = Punch.objects.filter(person=clocking.person)
    recompute(touched_days(theirs.values_list("person_id", "punched_at")))
    assert from_task == cards_of(clocking.person) and len(from_task) >= 3
