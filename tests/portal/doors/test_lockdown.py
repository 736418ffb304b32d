"""Lockdowns: lock a site's doors through the simulator, hold them, refuse unlocks, end."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.doors.commands import CommandRefused, offer_for, release_due_unlocks, request_command
from portal.doors.lockdown import (
    RELOCK_AFTER,
    end_lockdown,
    hold_lockdowns,
    start_lockdown,
    unsecured_count,
)
from portal.doors.models import DoorCommand, Lockdown
from portal.people.models import Site
from tests.portal.doors.conftest import door, pull, run_command

pytestmark = pytest.mark.django_db


def run_queued(wired):
    for command in DoorCommand.objects.filter(status="queued").order_by("pk"):
        run_command(wired, command)


@pytest.fixture
def north_lockdown(biostar, doors, user_with_role):
    return start_lockdown(
        user_with_role("security"), site=Site.objects.get(code="N"), reason="intruder reported"
    )


def test_starting_a_lockdown_locks_every_door_of_the_site_and_only_those(biostar, north_lockdown):
    locks = DoorCommand.objects.filter(lockdown=north_lockdown)
    assert sorted(c.door.vendor_id for c in locks) == ["1", "2", "3"]
    assert {c.action for c in locks} == {"lock"}
    assert unsecured_count() == 3
    started = AuditEntry.objects.get(action="door.lockdown.started")
    assert started.after["reason"] == "intruder reported" and started.after["doors"] == 3
    assert AuditEntry.objects.filter(action="door.command.requested").count() == 3

    run_queued(biostar)

    sim = biostar.simulator.doors
    assert [sim[i].manual for i in (1, 2, 3)] == ["lock", "lock", "lock"]
    assert sim[4].manual is None  # South is not locked down
    assert unsecured_count() == 0


def test_while_active_unlock_open_and_release_are_refused_and_nothing_is_sent(
    biostar, north_lockdown, user_with_role
):
    run_queued(biostar)
    security = user_with_role("security")
    for action in ("open", "unlock", "release"):
        with pytest.raises(CommandRefused, match="lockdown holds this door"):
            request_command(door(biostar), action, "please", security, minutes=5)
    assert offer_for(door(biostar), security).actions == ("lock", "clear_alarm")
    assert not DoorCommand.objects.filter(lockdown__isnull=True).exists()
    # a door of another site is not held
    request_command(door(biostar, "4"), "open", "visitor", security)


def test_an_override_is_allowed_with_its_permission_and_audited_as_one(
    biostar, north_lockdown, user_with_role
):
    run_queued(biostar)
    admin = user_with_role("admin")
    assert offer_for(door(biostar), admin).overrides
    command = request_command(door(biostar), "unlock", "paramedics", admin, minutes=5)
    assert command.overrides_lockdown
    assert AuditEntry.objects.filter(action="door.command.override").count() == 1
    command = run_command(biostar, command)
    assert command.status == "succeeded"
    assert biostar.simulator.doors[1].manual == "unlock"
    # when the override's time is up, a held door is locked again rather than released
    release_due_unlocks(now=command.unlock_until)
    relock = DoorCommand.objects.filter(status="queued").get()
    assert relock.action == "lock" and relock.lockdown == north_lockdown


def test_a_command_queued_before_the_lockdown_is_not_sent_after_it(biostar, doors, user_with_role):
    security = user_with_role("security")
    command = request_command(door(biostar), "unlock", "movers", security, minutes=5)
    start_lockdown(security, site=None, reason="everywhere")
    command = run_command(biostar, command)
    assert command.status == "failed" and "lockdown" in command.error
    assert biostar.simulator.doors[1].manual is None


def test_the_lockdown_is_held_a_door_released_at_the_console_is_locked_again(
    biostar, north_lockdown
):
    run_queued(biostar)
    biostar.simulator.doors[2].manual = None  # someone releases it at the BioStar console
    pull(biostar, "door_state")
    assert unsecured_count() == 1
    assert hold_lockdowns() == 0  # its lock was sent moments ago: wait before another
    assert hold_lockdowns(now=timezone.now() + RELOCK_AFTER + timedelta(seconds=1)) == 1
    run_queued(biostar)
    assert biostar.simulator.doors[2].manual == "lock"
    assert unsecured_count() == 0


def test_ending_releases_the_doors_to_their_schedule(biostar, north_lockdown, user_with_role):
    run_queued(biostar)
    end_lockdown(north_lockdown, user_with_role("security"), reason="all clear")
    run_queued(biostar)
    assert [biostar.simulator.doors[i].manual for i in (1, 2, 3)] == [None, None, None]
    north_lockdown.refresh_from_db()
    assert north_lockdown.ended_by.username == "security"
    assert not Lockdown.objects.active().exists()
    assert AuditEntry.objects.get(action="door.lockdown.ended").after["reason"] == "all clear"
    with pytest.raises(CommandRefused, match="already ended"):
        end_lockdown(north_lockdown, user_with_role("admin"))


def test_a_door_another_lockdown_still_holds_stays_locked_when_one_ends(
    biostar, north_lockdown, user_with_role
):
    security = user_with_role("security")
    start_lockdown(security, site=None, reason="everywhere")
    run_queued(biostar)
    end_lockdown(north_lockdown, security)
    assert not DoorCommand.objects.filter(action="release").exists()


def test_a_guard_can_neither_start_nor_end_and_door_control_cannot_override(
    biostar, doors, user_with_role
):
    with pytest.raises(PermissionDenied):
        start_lockdown(user_with_role("guard"), reason="x")
    lockdown = start_lockdown(user_with_role("security"), reason="x")
    with pytest.raises(PermissionDenied):
        end_lockdown(lockdown, user_with_role("guard"))
    assert not user_with_role("hr").has_perm("doors.override_lockdown")


def test_every_page_shows_the_banner_with_the_count_of_unsecured_doors(
    biostar, north_lockdown, client_as
):
    client = client_as("hr")
    page = client.get(reverse("core:dashboard")).content.decode()
    assert 'id="lockdown-banner"' in page
    assert "3</strong> doors not yet confirmed secured" in page
    run_queued(biostar)
    banner = client.get(reverse("doors:lockdown-banner")).content.decode()
    assert "Every door confirmed secured" in banner
    assert 'hx-trigger="every 3s"' in banner


def test_no_banner_without_a_lockdown(client_as):
    page = client_as("hr").get(reverse("core:dashboard")).content.decode()
    assert "not yet confirmed secured" not in page


def test_locks_workgate_cannot_command_are_named_not_counted_as_unsecured(
    biostar, doors, worktime_lock, user_with_role, client_as
):
    start_lockdown(user_with_role("security"), reason="everywhere")
    assert not DoorCommand.objects.filter(door=worktime_lock).exists()
    run_queued(biostar)
    assert unsecured_count() == 0
    page = client_as("guard").get(reverse("doors:lockdown")).content.decode()
    assert "cannot lock remotely" in page
