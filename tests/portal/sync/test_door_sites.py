"""Vendor doors reach sites through their door group (BioStar) or lock location (WorkTime)."""

import pytest
from django.urls import reverse

from portal.doors.models import Door, DoorGroupSite
from portal.people.models import Site
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import demo_simulator, wire

pytestmark = pytest.mark.django_db


def pull(wired, *streams):
    for stream in streams:
        run = pull_stream(wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None)
        assert run.status == "succeeded", run.error


def sites_of(account) -> dict[str, str | None]:
    return {
        door.name: door.site.name if door.site else None
        for door in Door.objects.filter(account=account).select_related("site")
    }


def test_biostar_door_groups_are_guessed_as_sites_and_an_administrator_can_remap(
    biostar, client_as
):
    """Given sites named like two of the three door groups, the first pull puts those doors on
    their sites and the third group's doors under "No site"; an administrator mapping that group
    moves its doors at once, and the next pull keeps the choice."""
    hamburg = Site.objects.create(name="Hamburg HQ", code="HAM")
    Site.objects.create(name="Bremen", code="BRE")  # "Bremen Warehouse" contains it
    pull(biostar, "devices", "doors")

    sites = sites_of(biostar.account)
    assert sites["Server room"] == "Hamburg HQ"
    assert sites["Cold store"] == "Bremen"
    assert sites["Workshop"] is None
    hannover_group = DoorGroupSite.objects.get(account=biostar.account, group="Hannover Workshop")
    assert hannover_group.guessed and hannover_group.site is None

    board = client_as("admin").get(reverse("doors:door-list")).content.decode()
    assert board.index("Bremen") < board.index("Hamburg HQ") < board.index("No site")
    assert "Map door groups to sites" in board
    assert (
        client_as("admin")
        .get(reverse("admin:doors_doorgroupsite_changelist"), {"site__isnull": "True"})
        .status_code
        == 200
    )

    workshop = Site.objects.create(name="Workshop Hannover-Süd", code="HNS")
    response = client_as("admin").post(
        reverse("admin:doors_doorgroupsite_change", args=[hannover_group.pk]),
        {"site": workshop.pk},
    )
    assert response.status_code == 302
    assert sites_of(biostar.account)["Workshop"] == "Workshop Hannover-Süd"
    hannover_group.refresh_from_db()
    assert not hannover_group.guessed

    pull(biostar, "doors", "devices")
    assert sites_of(biostar.account)["Workshop"] == "Workshop Hannover-Süd"
    assert sites_of(biostar.account)["Server room"] == hamburg.name
    # each door's controller sits at its door's site, and a device pull keeps it there
    workshop_door = Door.objects.get(account=biostar.account, name="Workshop")
    assert workshop_door.device.site == workshop


def test_worktime_lock_locations_are_mapped_like_door_groups(clock):
    Site.objects.create(name="Hamburg HQ", code="HAM")
    worktime = wire("worktime", demo_simulator("worktime", clock))
    pull(worktime, "devices", "doors")
    doors = Door.objects.filter(account=worktime.account).select_related("site")
    assert {d.group for d in doors} >= {"Hamburg HQ", "Bremen Warehouse"}
    assert all((d.site is not None) == (d.group == "Hamburg HQ") for d in doors)
