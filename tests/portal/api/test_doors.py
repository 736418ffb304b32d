"""/api/v1/doors/, /door-events/, /devices/: read-only, for the security desk."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.devices.models import Device
from portal.doors.models import Door, DoorEvent
from tests.factories import SiteFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doors():
    account = VendorAccountFactory(kind="biostar", name="BioStar")
    site = SiteFactory()
    device = Device.objects.create(
        account=account, vendor_id="d1", kind="controller", name="C1", site=site
    )
    front = Door.objects.create(
        account=account, vendor_id="1", name="Front", state="locked", site=site, device=device
    )
    back = Door.objects.create(account=account, vendor_id="2", name="Back", state="forced")
    now = timezone.now()
    for n in range(5):
        DoorEvent.objects.create(
            account=account,
            door=front if n % 2 else back,
            occurred_at=now - timedelta(minutes=10 - n),
            kind="granted",
            vendor_key=f"k{n}",
        )
    return front, back


def test_the_desk_reads_doors_with_state_and_filters_by_it(api_as, doors):
    front, back = doors
    api = api_as("guard")
    body = api.get("/api/v1/doors/", {"state": "forced"}).json()
    assert [(d["name"], d["is_alarm"]) for d in body["results"]] == [("Back", True)]
    assert api.get(f"/api/v1/doors/{front.pk}/").json()["state"] == "locked"
    assert api.get("/api/v1/devices/").json()["results"][0]["name"] == "C1"


def test_door_events_page_by_cursor_and_filter_by_door(api_as, doors):
    front, _back = doors
    api = api_as("guard")
    first = api.get("/api/v1/door-events/", {"page_size": 2}).json()
    ids = [e["id"] for e in first["results"]]
    assert ids == sorted(ids, reverse=True)
    page = first
    while page["next"]:
        page = api.get(page["next"].replace("http://testserver", "")).json()
        ids += [e["id"] for e in page["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
    assert {
        e["door"] for e in api.get("/api/v1/door-events/", {"door": front.pk}).json()["results"]
    } == {front.pk}


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_doors_need_the_desk_role(api_as, role, doors):
    assert api_as(role).get("/api/v1/doors/").status_code == 403
    assert api_as(role).get("/api/v1/door-events/").status_code == 403


def test_doors_are_not_written_through_the_api(api_as, doors):
    front, _ = doors
    api = api_as("admin")
    assert (
        api.patch(f"/api/v1/doors/{front.pk}/", {"state": "unlocked"}, format="json").status_code
        == 405
    )
    assert api.post("/api/v1/door-events/", {}, format="json").status_code == 405
