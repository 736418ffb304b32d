"""What the door board's rows show of commands: a link to the panel, a timed unlock's end."""

from django import template

from portal.doors.commands import offer_for, timed_unlock_of, vendor_actions, vendor_label
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


@register.inclusion_tag("doors/_command_panel.html", takes_context=True)
def door_command_panel(context, door):
    """The command panel for any page about one door: ``{% door_command_panel door %}``."""
    from portal.doors.forms import DoorCommandForm
    from portal.doors.views.commands import DoorCommandPanelView

    offer = offer_for(door, context["user"])
    return {
        "csrf_token": context.get("csrf_token"),
        "user": context["user"],
        "perms": context.get("perms"),
        "offer": offer,
        "form": DoorCommandForm(offer=offer),
        "timed_unlock": timed_unlock_of(door),
        **DoorCommandPanelView.history(door),
    }
