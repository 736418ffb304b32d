"""A punch's account, person and device are not checked by the database (a foreign-key trigger per
stored punch): Django still applies each one's on_delete when they are deleted."""

from datetime import UTC, datetime

import pytest
from django.db.models import ProtectedError

from connectors.records import PunchRecord
from portal.attendance.models import Punch
from portal.sync.mirror.attendance import PunchWriter
from portal.sync.models import SyncRun
from tests.factories import (
    DeviceFactory,
    DoorFactory,
    PersonFactory,
    UserFactory,
    VendorAccountFactory,
    link_person_to,
)

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 18, 8, tzinfo=UTC)


@pytest.fixture
def stored():
    """Two accounts' punches, stored as the pull stores them, by the same person and clock."""
    account, other = VendorAccountFactory(), VendorAccountFactory()
    person = PersonFactory()
    device = DeviceFactory(account=account, vendor_id="CQZ700001")
    for each in (account, other):
        link_person_to(each, person, vendor_id="7")
        DeviceFactory(account=each, vendor_id="CQZ700002")
        writer = PunchWriter(each, SyncRun.objects.create(account=each, stream="punches"))
        writer.write_page(
            [
                PunchRecord(
                    f"{n}",
                    person_code=person.employee_code,
                    occurred_at=datetime(2026, 11, 18, 8 + n, tzinfo=UTC),
                    direction="in",
                    device_id="CQZ700001" if n == 1 else "CQZ700002",
                    person_id="7",
                    raw={"id": n},
                )
                for n in (1, 2)
            ]
        )
    assert Punch.objects.filter(person=person).count() == 4
    assert Punch.objects.filter(device=device).count() == 1
    return account, other, person, device


def test_deleting_an_account_deletes_its_punches_only(stored):
    account, other, _, _ = stored
    account.delete()
    assert set(Punch.objects.values_list("account_id", flat=True)) == {other.pk}
    assert Punch.objects.count() == 2


def test_deleting_a_person_keeps_their_punches_without_them(stored):
    _, _, person, _ = stored
    person.delete()
    assert Punch.objects.count() == 4
    assert not Punch.objects.filter(person_id__isnull=False).exists()


def test_deleting_a_device_keeps_its_punches_without_it(stored):
    account, _, _, device = stored
    device_id = device.pk
    device.delete()
    assert Punch.objects.count() == 4
    assert not Punch.objects.filter(device_id=device_id).exists()
    assert Punch.objects.filter(account=account, device__isnull=True).count() == 1


def test_deleting_a_door_keeps_its_punches_without_it():
    door = DoorFactory()
    punch = Punch.objects.create(door=door, vendor_id="1", punched_at=AT)
    door.delete()
    punch.refresh_from_db()
    assert punch.door_id is None


def test_a_user_who_entered_or_voided_punches_cannot_be_deleted():
    entered, voided = UserFactory(), UserFactory()
    Punch.objects.create(vendor_id="1", punched_at=AT, created_by=entered, source="manual")
    Punch.objects.create(vendor_id="2", punched_at=AT, voided_by=voided, voided_at=AT)
    for user in (entered, voided):
        with pytest.raises(ProtectedError):
            user.delete()
    assert Punch.objects.count() == 2


def test_deleting_a_punch_clears_its_repeats_and_refuses_while_moved():
    original = Punch.objects.create(vendor_id="1", punched_at=AT)
    repeat = Punch.objects.create(vendor_id="2", punched_at=AT, duplicate_of=original)
    moved = Punch.objects.create(vendor_id="3", punched_at=AT, moved_from=repeat)
    with pytest.raises(ProtectedError):
        repeat.delete()
    original.delete()
    repeat.refresh_from_db()
    assert repeat.duplicate_of_id is None
    assert Punch.objects.filter(pk=moved.pk).exists()
