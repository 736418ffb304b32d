"""The door command panel: choose, say why, confirm, then watch the vendor's answer arrive."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views import View
from django_htmx.http import trigger_client_event

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import wants_partial
from portal.doors.commands import CommandRefused, offer_for, request_command, timed_unlock_of
from portal.doors.forms import DoorCommandForm, minutes_label
from portal.doors.models import Door, DoorCommand

RECENT_COMMANDS = 5


class DoorCommandPanelView(PermissionRequiredMixin, View):
    """GET: the panel (its own page, or the fragment for HTMX). POST: one step of a command."""

    permission_required = "doors.view_door"
    page_template = "doors/command_panel.html"
    panel_template = "doors/_command_panel.html"

    def door(self, pk) -> Door:
        doors = Door.objects.select_related("account", "site")
        return get_object_or_404(doors, pk=pk, gone_at__isnull=True)

    def get(self, request, pk):
        door = self.door(pk)
        if request.GET.get("part") == "history":  # refreshed when a command is answered
            return render(request, "doors/_command_history.html", self.history(door))
        offer = offer_for(door, request.user)
        return self.render(request, door, offer, DoorCommandForm(offer=offer))

    def post(self, request, pk):
        if not request.user.has_perm("doors.command_door"):
            raise PermissionDenied("Commanding a door needs the Door control role.")
        door = self.door(pk)
        offer = offer_for(door, request.user)
        form = DoorCommandForm(request.POST, offer=offer)
        if not form.is_valid():
            return self.render(request, door, offer, form)
        data = form.cleaned_data
        if not data["confirmed"]:
            return self.render(request, door, offer, form, confirming=True)
        try:
            command = request_command(
                door,
                data["action"],
                data["reason"],
                request.user,
                request=request,
                minutes=data["minutes"],
            )
        except CommandRefused as refused:
            form.add_error(None, str(refused))
            return self.render(request, door, offer, form)
        return self.render(request, door, offer, DoorCommandForm(offer=offer), sent=command)

    @staticmethod
    def history(door) -> dict:
        return {
            "door": door,
            "recent": door.commands.select_related("requested_by")[:RECENT_COMMANDS],
        }

    def render(self, request, door, offer, form, *, confirming=False, sent=None):
        data = form.cleaned_data if confirming else {}
        context = {
            "door": door,
            "offer": offer,
            "form": form,
            "confirming": confirming,
            "confirm_action": offer_label(data.get("action"), data.get("minutes")),
            "sent": sent,
            "timed_unlock": timed_unlock_of(door),
            **self.history(door),
        }
        template = self.panel_template if wants_partial(request) else self.page_template
        return render(request, template, context)


def offer_label(action: str | None, minutes: int | None) -> str:
    if not action:
        return ""
    if action == "unlock":
        return f"Unlock for {minutes_label(minutes)}"
    return dict(DoorCommand.Action.choices).get(action, action)


class DoorCommandStatusView(PermissionRequiredMixin, View):
    """One command's progress, polled by the panel until the vendor has answered."""

    permission_required = "doors.view_doorcommand"

    def get(self, request, pk):
        command = get_object_or_404(
            DoorCommand.objects.select_related("door", "requested_by"), pk=pk
        )
        response = render(request, "doors/_command_status.html", {"command": command})
        if not command.is_pending:  # the panel's history refreshes to show the answer
            trigger_client_event(response, "doorCommandAnswered")
        return response
