"""Stored cards: repeats across accounts, only touched person-weeks, the command."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from portal.attendance.compute import recompute
from portal.attendance.models import Punch, TimeCard
from tests.factories import PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db
TUE = date(2026, 3, 3)


def at(hh, mm=0, ss=0, day=TUE):
    return datetime.combine(day, time(hh, mm, ss), tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_the_same_punch_from_two_accounts_is_counted_once_and_the_repeat_points_at_it():
    person = PersonFactory()
    biotime, zeitstrom = (
        VendorAccountFactory(kind="biotime"),
        VendorAccountFactory(kind="zeitstrom"),
    )
    first = Punch.objects.create(
        account=biotime, vendor_id="1", person=person, punched_at=at(8), direction="in"
    )
    repeat = Punch.objects.create(
        account=zeitstrom, vendor_id="z1", person=person, punched_at=at(8, 0, 2), direction="in"
    )
    Punch.objects.create(
        account=biotime, vendor_id="2", person=person, punched_at=at(16), direction="out"
    )
    recompute([(person.pk, TUE)])
    repeat.refresh_from_db()
    assert repeat.duplicate_of_id == first.pk
    card = TimeCard.objects.get(person=person, work_date=TUE)
    assert card.worked_minutes == 480 and card.flags == []


def test_a_punch_recomputes_only_its_persons_week():
    person, other = PersonFactory(), PersonFactory()
    account = VendorAccountFactory()
    for who in (person, other):
        Punch.objects.create(
            account=account, vendor_id=f"{who.pk}", person=who, punched_at=at(8), direction="in"
        )
    recompute([(person.pk, TUE), (other.pk, TUE)])
    untouched = TimeCard.objects.get(person=other).updated_at
    Punch.objects.create(
        account=account, vendor_id="late", person=person, punched_at=at(16), direction="out"
    )
    recompute([(person.pk, TUE)])
    assert TimeCard.objects.get(person=other).updated_at == untouched
    assert TimeCard.objects.get(person=person).worked_minutes == 480


def test_the_command_recomputes_a_range(capsys):
    person = PersonFactory(employee_code="C-1")
    Punch.objects.create(
        account=VendorAccountFactory(),
        vendor_id="1",
        person=person,
        punched_at=at(8),
        direction="in",
    )
    call_command("recompute_timecards", "2026-03-02", "2026-03-08", "--person", "C-1")
    assert "1 cards written for 1 people" in capsys.readouterr().out
    assert TimeCard.objects.get(person=person).flags == ["missing_out"]
