from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from portal.core.params import id_param
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import wants_partial
from portal.doors.board import board_version, build_board
from portal.doors.models import Alarm, Door, DoorEvent


class DoorListView(PermissionRequiredMixin, TemplateView):
    """The security desk's board: every door of every vendor by site, alarms first.

    The board polls with its version: an unchanged board answers 204 after one query and htmx
    swaps nothing; a changed one answers the board fragment (and news of a new alarm)."""

    permission_required = "doors.view_door"
    template_name = "doors/door_list.html"

    def get(self, request, *args, **kwargs):
        if wants_partial(request) and request.GET.get("version") == board_version():
            return HttpResponse(status=204)
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if wants_partial(self.request):
            return ["doors/door_list.html#door-board"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        version = board_version()  # read before the rows: a change in between polls again
        board = build_board()
        known_alarm = id_param(self.request, "alarm") or 0
        newest = board.newest_alarm
        return super().get_context_data(
            board=board,
            version=version,
            newest_alarm_id=newest.pk if newest else 0,
            alarm_news=newest if newest and newest.pk > known_alarm else None,
            polling=wants_partial(self.request),
            **kwargs,
        )


class DoorDetailView(PermissionRequiredMixin, TemplateView):
    """One door: its state, state history, events, and the commands people sent it."""

    permission_required = "doors.view_door"
    template_name = "doors/door_detail.html"
    HISTORY = 50

    def get_context_data(self, **kwargs):
        door = get_object_or_404(
            Door.objects.select_related("account", "site", "device"), pk=self.kwargs["pk"]
        )
        return super().get_context_data(
            door=door,
            state_changes=door.state_changes.all()[: self.HISTORY],
            events=DoorEvent.objects.filter(door=door)
            .select_related("person", "device")
            .order_by("-occurred_at", "-id")[: self.HISTORY],
            commands=door.commands.select_related("requested_by")[: self.HISTORY],
            alarms=Alarm.objects.filter(door=door).select_related("acknowledged_by")[
                : self.HISTORY
            ],
            **kwargs,
        )
