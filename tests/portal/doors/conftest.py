"""Doors mirrored from a BioStar X simulator (in-process), sites attached, ready to command."""

import json

import pytest

from portal.doors.models import Door, DoorCommand
from portal.people.models import Site
from portal.sync.door_commands import send_command
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import biostar, broker, clock, demo_simulator, wire  # noqa: F401


def pull(wired, stream):
    run = pull_stream(wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    return run


@pytest.fixture
def doors(biostar):  # noqa: F811
    """BioStar's doors in the mirror; doors 1-3 at site North, the rest at site South.

    The sites come the way production's do: each door's BioStar door group is named after its
    site, and the mirror maps the group to the site of that name."""
    Site.objects.create(name="North", code="N")
    Site.objects.create(name="South", code="S")
    simulator = biostar.simulator
    simulator.door_groups.update({901: "North", 902: "South"})
    for vendor_id, door in simulator.doors.items():
        door.door_group_id = 901 if int(vendor_id) <= 3 else 902
    pull(biostar, "doors")
    return Door.objects.filter(account=biostar.account).order_by("pk")


@pytest.fixture
def worktime_lock(db, clock):  # noqa: F811
    """A WorkTime One smart lock in the mirror: its API has lock history but no commands."""
    wired = wire("worktime", demo_simulator("worktime", clock))
    pull(wired, "doors")
    return Door.objects.filter(account=wired.account).first()


def door(wired, vendor_id="1") -> Door:
    return Door.objects.get(account=wired.account, vendor_id=vendor_id)


def run_command(wired, command: DoorCommand, **kwargs) -> DoorCommand:
    """What the doors worker does with the message: its id through a JSON round trip."""
    (command_id,) = json.loads(json.dumps([command.pk]))
    send_command(command_id, transport=wired.transport, sleep=lambda s: None, **kwargs)
    command.refresh_from_db()
    return command


def door_requests(wired) -> list[tuple[str, str]]:
    return [
        r
        for r in wired.simulator.request_log
        if r[1].startswith("/api/doors/") and r[1] != "/api/doors/status"
    ]
