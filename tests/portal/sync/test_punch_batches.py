"""A pull's batch of punch pages is stored in one insert (a batch's round trips to the database,
not each page's): a punch repeated on the next page (new punches shifted the vendor's paging) is
stored and counted once, and only the days of punches new to the mirror are marked."""

from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from connectors.records import PunchRecord
from portal.attendance.models import DirtyDay, Punch
from portal.sync.mirror.attendance import PunchWriter
from portal.sync.models import SyncRun
from tests.factories import PersonFactory, VendorAccountFactory, link_person_to

pytestmark = pytest.mark.django_db


def punch(vendor_id: str, day: int) -> PunchRecord:
    return PunchRecord(
        vendor_id,
        person_code="",
        occurred_at=datetime(2026, 11, day, 8, tzinfo=UTC),
        direction="in",
        person_id="7",
        raw={"id": vendor_id},
    )


def writer_of(account) -> PunchWriter:
    return PunchWriter(account, SyncRun.objects.create(account=account, stream="punches"))


def test_a_punch_repeated_on_the_next_page_is_stored_and_counted_once():
    account, person = VendorAccountFactory(), PersonFactory()
    link_person_to(account, person, vendor_id="7")
    writer_of(account).write_page([punch("1", day=17)])  # an earlier pull's
    DirtyDay.objects.all().delete()  # its card was built

    writer = writer_of(account)
    pages = [
        writer.prepare([punch("1", day=17), punch("2", day=18)]),
        writer.prepare([punch("2", day=18), punch("3", day=19)]),
    ]
    with transaction.atomic():
        writer.store_batch(pages)

    assert sorted(Punch.objects.values_list("vendor_id", "person_id")) == [
        ("1", person.pk),
        ("2", person.pk),
        ("3", person.pk),
    ]
    assert (writer.run.created, writer.run.unchanged) == (2, 2)
    assert sorted(DirtyDay.objects.values_list("person_id", "day")) == [
        (person.pk, date(2026, 11, 18)),
        (person.pk, date(2026, 11, 19)),
    ]


def test_pages_of_new_punches_mark_each_of_their_days_once():
    account, person = VendorAccountFactory(), PersonFactory()
    link_person_to(account, person, vendor_id="7")
    writer = writer_of(account)
    pages = [
        writer.prepare([punch("1", day=17), punch("2", day=18)]),
        writer.prepare([punch("3", day=18)]),
    ]
    with transaction.atomic():
        writer.store_batch(pages)

    assert (writer.run.created, writer.run.unchanged) == (3, 0)
    assert sorted(DirtyDay.objects.values_list("day", flat=True)) == [
        date(2026, 11, 17),
        date(2026, 11, 18),
    ]
