from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView, redirect_after_post
from portal.doors import alarms
from portal.doors.models import Alarm

SHOW = {"open": True, "acknowledged": False}


class AlarmListView(PermissionRequiredMixin, PartialListView):
    """Open alarms, oldest first so nothing waits longest; every one of them, page by page."""

    permission_required = "doors.view_alarm"
    template_name = "doors/alarm_list.html"
    partial_name = "alarm-table"

    def showing_open(self) -> bool:
        return SHOW.get(self.request.GET.get("show", "open"), True)

    def get_queryset(self):
        rows = Alarm.objects.select_related(
            "door", "door__site", "device", "device__site", "acknowledged_by"
        )
        if self.showing_open():
            return rows.filter(acknowledged_at__isnull=True).order_by("raised_at", "id")
        return rows.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at", "-id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            showing_open=self.showing_open(),
            open_count=Alarm.objects.filter(acknowledged_at__isnull=True).count(),
            can_acknowledge=self.request.user.has_perm("doors.acknowledge_alarm"),
            **kwargs,
        )


class AlarmAcknowledgeView(PermissionRequiredMixin, View):
    permission_required = "doors.acknowledge_alarm"
    http_method_names = ["post"]

    def post(self, request, pk):
        alarm = get_object_or_404(Alarm.objects.select_related("door", "device"), pk=pk)
        comment = request.POST.get("comment", "")
        try:
            alarms.acknowledge(alarm, request.user, comment, request=request)
        except ValidationError as error:
            context = {
                "alarm": alarm,
                "comment": comment,
                "error": error.message_dict.get("comment", error.messages)[0],
            }
            if request.htmx:
                return render(request, "doors/alarm_list.html#ack-form", context)
            messages.error(request, f"{alarm}: {context['error']}")
            return redirect_after_post(request, reverse("doors:alarm-list"))
        messages.success(request, f"Acknowledged: {alarm}.")
        return redirect_after_post(request, reverse("doors:alarm-list"))
