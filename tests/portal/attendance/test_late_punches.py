"""Punches pulled from BioTime (simulator over HTTP) build cards; late ones respect approval."""

from datetime import timedelta

import pytest

from portal.attendance import services
from portal.attendance.models import Punch, TimeCard, TimePeriod
from portal.core.models import AuditEntry
from tests.portal.attendance.conftest import MONDAY, SUNDAY

pytestmark = pytest.mark.django_db


def card(person, day):
    return TimeCard.objects.get(person=person, work_date=day)


def punch_monday(clocking):
    clocking.punch(MONDAY, 8, 0, state=0)
    clocking.punch(MONDAY, 16, 30, state=1)
    clocking.pull(full=True)


def test_pulled_punches_become_the_day_card_with_local_time_and_zone(clocking):
    punch_monday(clocking)
    monday = card(clocking.person, MONDAY)
    assert monday.worked_minutes == 480 and monday.flags == []
    stored = Punch.objects.filter(person=clocking.person).order_by("punched_at").first()
    assert (stored.local_time, stored.time_zone) == (f"{MONDAY} 08:00:00", "Europe/Berlin")
    assert stored.source == Punch.Source.VENDOR and stored.raw["emp_code"] == "L-0001"


def test_pulling_again_does_not_store_or_count_anything_twice(clocking):
    punch_monday(clocking)
    before = card(clocking.person, MONDAY).updated_at
    clocking.pull()
    assert Punch.objects.filter(person=clocking.person).count() == 2
    assert card(clocking.person, MONDAY).updated_at == before  # nothing recomputed or rewritten


def test_a_punch_three_days_late_into_an_open_period_recomputes_that_day(clocking):
    clocking.punch(MONDAY, 8, 0, state=0)
    clocking.pull()
    assert card(clocking.person, MONDAY).flags == ["missing_out"]
    clocking.advance(timedelta(days=3))
    clocking.punch(MONDAY, 16, 30, state=1)
    clocking.pull(full=True)
    monday = card(clocking.person, MONDAY)
    assert monday.worked_minutes == 480 and monday.flags == []
    assert not monday.arrived_after_approval


def test_a_punch_three_days_late_into_an_approved_period_is_kept_but_does_not_change_totals(
    clocking, user_with_role
):
    punch_monday(clocking)
    hr = user_with_role("hr")
    services.approve_period(hr, clocking.person, MONDAY, SUNDAY)
    # a forgotten lunch break, uploaded three days later by a terminal that was offline
    clocking.advance(timedelta(days=3))
    clocking.punch(MONDAY, 12, 0, state=2)
    clocking.punch(MONDAY, 13, 0, state=3)
    clocking.pull(full=True)

    assert Punch.objects.filter(person=clocking.person).count() == 4  # stored
    monday = card(clocking.person, MONDAY)
    assert (monday.worked_minutes, monday.status) == (480, TimeCard.Status.APPROVED)
    assert monday.arrived_after_approval

    services.reopen_period(hr, clocking.person, MONDAY, SUNDAY, "late break punches from HAM")
    monday = card(clocking.person, MONDAY)
    assert monday.worked_minutes == 450 and monday.break_minutes == 60
    assert not monday.arrived_after_approval and monday.status == TimeCard.Status.OPEN
    assert TimePeriod.objects.get(person=clocking.person).status == TimePeriod.Status.OPEN
    assert AuditEntry.objects.filter(action="timecards.period_reopened").count() == 1
