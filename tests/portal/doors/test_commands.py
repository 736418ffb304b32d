"""Door commands end to end through the BioStar X simulator: row, audit, send, read back."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from connectors.biostar.simulator.state import ALARM_FORCED
from portal.core.models import AuditEntry
from portal.doors.commands import (
    CommandRefused,
    expire_unsent,
    release_due_unlocks,
    request_command,
)
from portal.doors.models import Door, DoorCommand
from tests.portal.doors.conftest import door, door_requests, run_command

pytestmark = pytest.mark.django_db
Status = DoorCommand.Status


def audit_actions(command) -> list[str]:
    entries = AuditEntry.objects.filter(object_type="doors.Door", object_id=str(command.door_id))
    return [e.action for e in entries.order_by("pk") if e.after.get("command") == command.pk]


@pytest.mark.parametrize(
    "action, before, after",
    [
        ("lock", None, ("locked", "manual_lock")),
        ("unlock", None, ("unlocked", "manual_unlock")),
        ("release", "lock", ("locked", "normal")),
        ("open", None, ("unlocked", "normal")),
    ],
)
def test_each_command_reaches_the_door_and_its_state_is_read_back(
    biostar, doors, user_with_role, broker, action, before, after
):
    """Given a door, when security sends a command and the doors worker runs it, the simulator's
    door changes, the mirror row shows the state read back, and the audit has both entries."""
    biostar.simulator.doors[1].manual = before
    target = door(biostar)
    command = request_command(
        target, action, "delivery at the back", user_with_role("security"), minutes=5
    )
    assert command.status == Status.QUEUED
    assert command.expires_at - command.requested_at <= timedelta(seconds=31)
    assert audit_actions(command) == ["door.command.requested"]

    command = run_command(biostar, command)

    assert command.status == Status.SUCCEEDED, command.error
    assert door_requests(biostar)[-1] == ("POST", f"/api/doors/{action}")
    target.refresh_from_db()
    assert (target.state, target.mode) == after
    assert command.state_after == after[0]
    assert command.vendor_answer["Response"]["code"] == "0"
    assert audit_actions(command) == ["door.command.requested", "door.command.succeeded"]


def test_clear_alarm_clears_the_forced_door(biostar, doors, user_with_role):
    biostar.simulator.doors[2].alarm_flags = ALARM_FORCED
    command = request_command(
        door(biostar, "2"), "clear_alarm", "checked", user_with_role("security")
    )
    command = run_command(biostar, command)
    assert command.status == Status.SUCCEEDED
    assert biostar.simulator.doors[2].alarm_flags == 0
    assert command.state_after not in ("forced", "held_open")


def test_the_request_entry_names_who_in_which_role_from_where_and_why(
    biostar, doors, rf, user_with_role
):
    user = user_with_role("security")
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    command = request_command(door(biostar), "lock", "fire drill", user, request=request)
    entry = AuditEntry.objects.get(action="door.command.requested")
    assert entry.actor == user
    assert entry.ip_address == "10.1.2.3"
    assert entry.object_id == str(command.door_id)
    assert entry.after["action"] == "lock"
    assert entry.after["reason"] == "fire drill"
    assert entry.after["roles"] == ["Door control", "Security desk"]


def test_a_command_older_than_30_seconds_is_never_sent(biostar, doors, user_with_role):
    command = request_command(door(biostar), "open", "visitor", user_with_role("security"))
    late = command.expires_at + timedelta(seconds=1)
    command = run_command(biostar, command, now=lambda: late)
    assert command.status == Status.EXPIRED
    assert door_requests(biostar) == []  # the simulator received nothing
    assert command.sent_at is None
    assert audit_actions(command) == ["door.command.requested", "door.command.expired"]


def test_the_door_tick_expires_commands_whose_message_was_lost(biostar, doors, user_with_role):
    command = request_command(door(biostar), "open", "visitor", user_with_role("security"))
    assert expire_unsent(now=command.expires_at - timedelta(seconds=1)) == 0
    assert expire_unsent(now=command.expires_at) == 1
    command = run_command(biostar, command)  # the message turns up after all: still not sent
    assert command.status == Status.EXPIRED
    assert door_requests(biostar) == []


def test_a_redelivered_message_does_not_send_the_command_twice(biostar, doors, user_with_role):
    command = request_command(door(biostar), "lock", "night", user_with_role("security"))
    run_command(biostar, command)
    run_command(biostar, command)
    assert door_requests(biostar) == [("POST", "/api/doors/lock")]


def test_a_lost_answer_is_not_resent_the_state_read_shows_it_took_effect(
    biostar, doors, user_with_role
):
    """The lock reached the door but its answer was lost: read the door, find it locked."""
    biostar.simulator.faults.lost_answers = 1
    biostar.simulator.faults.only_paths = ("/api/doors/lock",)
    command = request_command(door(biostar), "lock", "night", user_with_role("security"))
    command = run_command(biostar, command)
    assert door_requests(biostar) == [("POST", "/api/doors/lock")]  # once, never again
    assert command.status == Status.SUCCEEDED
    assert "answer was lost" in command.error
    assert command.state_after == "locked"


def test_a_timeout_before_the_door_acted_leaves_the_outcome_unknown_with_the_state_found(
    biostar, doors, user_with_role
):
    biostar.simulator.faults.timeouts = 1
    biostar.simulator.faults.only_paths = ("/api/doors/unlock",)
    command = request_command(
        door(biostar), "unlock", "contractor", user_with_role("security"), minutes=5
    )
    command = run_command(biostar, command)
    assert door_requests(biostar) == [("POST", "/api/doors/unlock")]  # not resent blindly
    assert command.status == Status.UNCERTAIN
    assert command.state_after == "locked"  # what was found
    assert biostar.simulator.doors[1].manual is None
    assert audit_actions(command)[-1] == "door.command.uncertain"


def test_a_device_that_refuses_fails_the_command_with_the_vendors_reason(
    biostar, doors, user_with_role
):
    biostar.simulator.faults.error_burst = 10
    biostar.simulator.faults.only_paths = ("/api/doors/open",)
    command = request_command(door(biostar), "open", "visitor", user_with_role("security"))
    command = run_command(biostar, command)
    assert command.status == Status.FAILED
    assert "503" in command.error or "BioStar" in command.error


def test_unlock_for_a_while_is_released_when_due_and_the_board_says_until_when(
    biostar, doors, user_with_role, client_as
):
    user = user_with_role("security")
    command = request_command(door(biostar), "unlock", "movers", user, minutes=1)
    command = run_command(biostar, command)
    assert biostar.simulator.doors[1].manual == "unlock"
    board = client_as("guard").get(reverse("doors:door-list")).content.decode()
    until = timezone.localtime(command.unlock_until).strftime("%H:%M")
    assert f"Unlocked by security until {until}" in board

    assert release_due_unlocks(now=command.unlock_until - timedelta(seconds=1)) == 0
    assert release_due_unlocks(now=command.unlock_until) == 1
    assert release_due_unlocks(now=command.unlock_until + timedelta(seconds=5)) == 0  # once

    release = DoorCommand.objects.get(action="release")
    assert release.reason.startswith("Unlock by security until")
    run_command(biostar, release)
    assert biostar.simulator.doors[1].manual is None
    assert Door.objects.get(pk=command.door_id).mode == "normal"
    board = client_as("guard").get(reverse("doors:door-list")).content.decode()
    assert "Unlocked by" not in board
    entry = AuditEntry.objects.filter(action="door.command.requested").order_by("pk").last()
    assert entry.actor_label == "Workgate" and entry.after["action"] == "release"


def test_a_later_lock_ends_the_timed_unlock_so_nothing_is_released_later(
    biostar, doors, user_with_role
):
    user = user_with_role("security")
    unlock = run_command(biostar, request_command(door(biostar), "unlock", "a", user, minutes=5))
    run_command(biostar, request_command(door(biostar), "lock", "changed my mind", user))
    assert release_due_unlocks(now=unlock.unlock_until) == 0
    assert biostar.simulator.doors[1].manual == "lock"


def test_a_guard_cannot_command_and_nothing_is_written(biostar, doors, user_with_role):
    with pytest.raises(PermissionDenied):
        request_command(door(biostar), "open", "let me in", user_with_role("guard"))
    assert not DoorCommand.objects.exists()


@pytest.mark.parametrize(
    "action, reason, minutes, says",
    [
        ("open", "   ", None, "Say why"),
        ("unlock", "movers", None, "how long"),
        ("unlock", "movers", 7, "how long"),
        ("explode", "test", None, "does not accept"),
    ],
)
def test_refused_commands_write_nothing(
    biostar, doors, user_with_role, action, reason, minutes, says
):
    with pytest.raises(CommandRefused, match=says):
        request_command(door(biostar), action, reason, user_with_role("security"), minutes=minutes)
    assert not DoorCommand.objects.exists()


def test_a_vendor_without_remote_commands_refuses_them(worktime_lock, user_with_role):
    with pytest.raises(CommandRefused, match="WorkTime One does not accept"):
        request_command(worktime_lock, "open", "visitor", user_with_role("security"))
    assert not DoorCommand.objects.exists()
