"""What the door board's rows show of commands: a link to the panel, a timed unlock's end."""

from django import template

from portal.doors.commands import vendor_actions, vendor_label
from portal.doors.models import DoorCommand

register = template.Library()


@register.filter
def vendor_name(door) -> str:
    return vendor_label(door)


def _timed_unlocks(request) -> dict[int, DoorCommand]:
    """Every door's running timed unlock, read once per request (not once per row)."""
    found = getattr(request, "_door_timed_unlocks", None)
    if found is None:
        running = (
            DoorCommand.objects.filter(
                action=DoorCommand.Action.UNLOCK,
                status=DoorCommand.Status.SUCCEEDED,
                unlock_ended_at__isnull=True,
            )
            .select_related("requested_by")
            .order_by("requested_at")
        )
        found = {command.door_id: command for command in running}  # the newest wins
        if request is not None:
            request._door_timed_unlocks = found
    return found


@register.inclusion_tag("doors/_door_actions_cell.html", takes_context=True)
def door_actions(context, door):
    request = context.get("request")
    user = context.get("user")
    can_command = bool(user and user.has_perm("doors.command_door") and vendor_actions(door))
    return {
        "door": door,
        "timed_unlock": _timed_unlocks(request).get(door.pk),
        "can_command": can_command,
        "no_remote": not vendor_actions(door),
        "vendor": vendor_label(door),
    }
