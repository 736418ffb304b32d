"""BioStar door states as real servers report them (status bit masks) reach the door board."""

import pytest
from django.urls import reverse

from portal.doors.models import Door
from portal.sync.pull import pull_stream

pytestmark = pytest.mark.django_db


def pull(wired, stream):
    run = pull_stream(wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    return run


def test_schedules_lockdowns_and_operators_show_as_modes_on_the_board(biostar, client_as):
    """Given doors held by a schedule, an emergency, an operator, and one whose controller is
    disconnected, the mirror keeps each door's mode and state and the board names them."""
    doors = biostar.simulator.doors
    doors[1].schedule = "unlock"
    doors[2].schedule = "lock"
    doors[3].emergency = "lock"
    doors[4].manual = "unlock"
    biostar.simulator.devices[doors[5].device_id].status = 0  # disconnected

    pull(biostar, "doors")
    pull(biostar, "door_state")

    mirrored = {d.vendor_id: d for d in Door.objects.filter(account=biostar.account)}
    assert (mirrored["1"].mode, mirrored["1"].state) == ("scheduled_unlock", "unlocked")
    assert (mirrored["2"].mode, mirrored["2"].state) == ("scheduled_lock", "locked")
    assert (mirrored["3"].mode, mirrored["3"].state) == ("lockdown", "locked")
    assert (mirrored["4"].mode, mirrored["4"].state) == ("manual_unlock", "unlocked")
    assert mirrored["5"].state == "offline"
    assert mirrored["1"].get_mode_display() == "Scheduled unlock"
    assert mirrored["2"].get_mode_display() == "Scheduled lock"

    html = client_as("security").get(reverse("doors:door-list")).content.decode()
    for label in ("Scheduled unlock", "Scheduled lock", "Lockdown", "Manual unlock", "Offline"):
        assert label in html
    assert "scheduled_" not in html


def test_a_schedule_ending_returns_the_door_to_normal(biostar):
    biostar.simulator.doors[1].schedule = "unlock"
    pull(biostar, "doors")
    pull(biostar, "door_state")
    door = Door.objects.get(account=biostar.account, vendor_id="1")
    assert door.mode == "scheduled_unlock"
    changed_at = door.state_changed_at

    biostar.simulator.doors[1].schedule = None
    pull(biostar, "door_state")

    door.refresh_from_db()
    assert door.mode == "normal" and door.state in {"locked", "open"}
    assert door.state_changed_at > changed_at
