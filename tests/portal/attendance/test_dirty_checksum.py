"""The dirty-day task leaves the cards a full rebuild would: checked by a digest over every card.

A seeded month of night, day and shift-less people (one of them in Tokyo, a day ahead of the
server's date at night) is built in full; then punches arrive as a pull stores them (and marks
their days): across midnight, across a Sunday into Monday, before the day start, double taps
either side of midnight, a second source repeating a punch. The task runs; a full rebuild of the
whole month afterwards must find nothing to write and leave the same digest.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.attendance.compute import recompute
from portal.attendance.dirty import mark_dirty, recompute_dirty_days
from portal.attendance.models import Punch, ShiftAssignment, ShiftPattern
from portal.attendance.store import stored_digest
from tests.factories import PersonFactory, SiteFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db

FIRST = date(2026, 3, 2)  # a Monday; four weeks, and the Sunday before for a night shift
DAYS = [FIRST - timedelta(days=1) + timedelta(days=i) for i in range(29)]
BERLIN, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")


def local(day, hh, mm=0, ss=0, zone=BERLIN):
    return datetime.combine(day, time(hh, mm, ss), tzinfo=zone).astimezone(UTC)


@pytest.fixture
def month():
    berlin, tokyo = SiteFactory(time_zone="Europe/Berlin"), SiteFactory(time_zone="Asia/Tokyo")
    night = ShiftPattern.objects.create(
        name="Night", start=time(22), end=time(6), work_days=[0, 1, 2, 3, 4]
    )
    day_shift = ShiftPattern.objects.create(
        name="Day", start=time(8), end=time(16, 30), work_days=[0, 1, 2, 3, 4]
    )
    people = {name: PersonFactory(department=None) for name in ("night", "day", "free", "tokyo")}
    for name, person in people.items():
        person.sites.add(tokyo if name == "tokyo" else berlin)
    for name, shift in (("night", night), ("day", day_shift), ("tokyo", day_shift)):
        ShiftAssignment.objects.create(shift=shift, person=people[name], valid_from=DAYS[0])
    account, other = VendorAccountFactory(kind="biotime"), VendorAccountFactory(kind="zeitstrom")
    rng = random.Random(5)
    punches = []
    for day in DAYS:
        if day.weekday() >= 5:
            continue
        for name, (start, end, zone) in {
            "night": ((22, 0), (30, 0), BERLIN),  # hours past the day's midnight
            "day": ((8, 0), (16, 30), BERLIN),
            "free": ((9, 0), (17, 0), BERLIN),
            "tokyo": ((8, 0), (16, 30), TOKYO),
        }.items():
            for (hh, mm), direction in ((start, "in"), (end, "out")):
                moment = local(day, 0, zone=zone) + timedelta(
                    hours=hh, minutes=mm + rng.randint(-9, 9)
                )
                punches.append((people[name], moment, direction, account))
    store(punches)
    recompute(everything(people))
    return people, account, other


def store(punches, *, mark=False):
    rows = Punch.objects.bulk_create(
        Punch(
            account=account,
            vendor_id=f"{account.pk}-{person.pk}-{moment.isoformat()}-{direction}",
            person=person,
            punched_at=moment,
            direction=direction,
        )
        for person, moment, direction, account in punches
    )
    if mark:  # as a pull does, in the transaction that stored them
        mark_dirty((row.person_id, row.punched_at) for row in rows)


def everything(people):
    return [(person.pk, day) for person in people.values() for day in DAYS]


def test_the_task_leaves_the_cards_a_full_rebuild_leaves(month):
    people, biotime, zeitstrom = month
    week2 = FIRST + timedelta(days=7)  # a Monday
    sunday = week2 - timedelta(days=1)
    store(
        [
            # a night shift Sunday into Monday (no shift on Sunday: it belongs where it falls)
            (people["night"], local(sunday, 22, 5), "in", biotime),
            (people["night"], local(week2, 5, 55), "out", biotime),
            # double taps on either side of midnight, and one from a second source
            (people["night"], local(week2 + timedelta(days=2), 23, 59, 40), "in", biotime),
            (people["night"], local(week2 + timedelta(days=3), 0, 0, 20), "in", biotime),
            (people["night"], local(week2 + timedelta(days=3), 0, 0, 22), "in", zeitstrom),
            # before the day start (04:00): the day before's; Monday's is last week's Sunday
            (people["free"], local(week2, 3, 30), "out", biotime),
            (people["free"], local(week2 + timedelta(days=3), 2, 0), "in", biotime),
            # a Tokyo morning is the server's night before
            (people["tokyo"], local(week2, 7, 50, zone=TOKYO), "in", biotime),
            (people["tokyo"], local(week2 + timedelta(days=4), 18, 0, zone=TOKYO), "out", biotime),
            # a late out on a Friday, and a Saturday into Sunday
            (people["day"], local(week2 + timedelta(days=4), 23, 0), "out", biotime),
            (people["day"], local(week2 + timedelta(days=5), 23, 50), "in", biotime),
            (people["day"], local(week2 + timedelta(days=6), 0, 40), "out", biotime),
        ],
        mark=True,
    )
    assert recompute_dirty_days() > 0
    after_task = stored_digest()

    assert recompute(everything(people)) == 0  # a full rebuild finds nothing left to change
    assert stored_digest() == after_task
