"""Alarms raised from what the BioStar simulator reports through real pulls, and acknowledged."""

from datetime import timedelta

import pytest
from django.urls import reverse

from connectors.biostar.simulator.eventlog import EventLog
from portal.core.models import AuditEntry
from portal.devices.models import Device
from portal.doors.alarms import raise_offline_alarms
from portal.doors.models import Alarm, Door, DoorEvent, DoorStateChange
from portal.sync.pull import pull_stream

pytestmark = pytest.mark.django_db


def pull(wired, *streams):
    for stream in streams:
        run = pull_stream(wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None)
        assert run.status == "succeeded", run.error


def now_ms(clock) -> int:
    return int(clock.now().timestamp() * 1000)


def quieten(simulator) -> None:
    """The demo BioStar without its month of past activity: only what a test does happens."""
    simulator.activity = None
    simulator.events = EventLog(simulator.zone)
    for door in simulator.doors.values():
        door.alarm_flags = 0
        door.open_from = door.open_until = door.relay_until = 0.0


@pytest.fixture
def quiet_biostar(biostar):
    quieten(biostar.simulator)
    pull(biostar, "devices", "doors", "door_state")
    return biostar


def test_a_forced_door_raises_one_alarm_from_state_and_event_until_acknowledged(
    quiet_biostar, clock, client_as
):
    """Given a door forced open at the vendor, when its state and then its events are pulled,
    one forced-open alarm is open (the event is the same occurrence), the door's history shows
    locked → forced, and a comment acknowledges it (audited); pulling the same state again does
    not raise it a second time."""
    sim = quiet_biostar.simulator
    sim.force_open(now_ms(clock), sim.doors[3])

    pull(quiet_biostar, "door_state", "door_events")

    door = Door.objects.get(account=quiet_biostar.account, vendor_id="3")
    assert door.state == Door.State.FORCED
    alarm = Alarm.objects.get(door=door)
    assert (alarm.kind, alarm.source, alarm.is_open) == ("forced_open", "state", True)
    change = DoorStateChange.objects.filter(door=door).first()
    assert (change.state_before, change.state) == ("locked", "forced")
    assert DoorEvent.objects.filter(door=door, kind="forced_open").exists()

    client = client_as("security")
    response = client.post(
        reverse("doors:alarm-acknowledge", args=[alarm.pk]),
        {"comment": "Checked on camera: delivery driver, door closed again."},
    )
    assert response.status_code == 302
    alarm.refresh_from_db()
    assert alarm.acknowledged_by.username == "security" and not alarm.is_open
    assert alarm.comment.startswith("Checked on camera")
    entry = AuditEntry.objects.get(action="alarm.acknowledge")
    assert entry.object_id == str(alarm.pk) and entry.actor.username == "security"

    pull(quiet_biostar, "door_state", "door_events")
    assert Alarm.objects.filter(door=door).count() == 1


def test_an_acknowledged_alarm_comes_back_on_a_new_occurrence_only(
    quiet_biostar, clock, user_with_role
):
    from portal.doors.alarms import acknowledge

    sim = quiet_biostar.simulator
    door = sim.doors[3]
    sim.force_open(now_ms(clock), door)
    pull(quiet_biostar, "door_state", "door_events")
    acknowledge(Alarm.objects.get(), user_with_role("security"), "Seen")

    clock.advance(timedelta(minutes=10))
    sim.clear_alarms(door, clock.now().timestamp())
    pull(quiet_biostar, "door_state", "door_events")
    assert Alarm.objects.count() == 1  # the door is locked again; nothing new happened

    clock.advance(timedelta(minutes=10))
    sim.force_open(now_ms(clock), door)
    pull(quiet_biostar, "door_state", "door_events")
    alarms = list(Alarm.objects.order_by("id"))
    assert len(alarms) == 2 and alarms[1].is_open and alarms[1].raised_at > alarms[0].raised_at


def test_the_database_keeps_one_open_alarm_per_door_and_kind(quiet_biostar):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    door = Door.objects.filter(account=quiet_biostar.account).first()
    Alarm.objects.create(kind="forced_open", door=door, raised_at=timezone.now(), source="state")
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(
            kind="forced_open", door=door, raised_at=timezone.now(), source="event"
        )


def test_a_device_offline_longer_than_the_setting_raises_one_alarm(quiet_biostar, settings):
    """Given a controller the vendor reports disconnected, no alarm while it is shorter than
    DOORS_OFFLINE_ALARM_MINUTES; after that the periodic check raises exactly one."""
    settings.DOORS_OFFLINE_ALARM_MINUTES = 5
    sim = quiet_biostar.simulator
    sim.devices[sim.doors[2].device_id].status = 0
    pull(quiet_biostar, "devices")
    device = Device.objects.get(
        account=quiet_biostar.account, vendor_id=str(sim.doors[2].device_id)
    )
    assert not device.online and device.offline_since is not None
    assert raise_offline_alarms(device.offline_since + timedelta(minutes=4)) == 0
    assert raise_offline_alarms(device.offline_since + timedelta(minutes=6)) == 1
    assert raise_offline_alarms(device.offline_since + timedelta(minutes=60)) == 0
    alarm = Alarm.objects.get(device=device)
    assert alarm.kind == "device_offline" and alarm.raised_at == device.offline_since
