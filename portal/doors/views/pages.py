from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView
from portal.doors.models import Door


class DoorListView(PermissionRequiredMixin, PartialListView):
    """The security desk's board: every door of every vendor, alarms first."""

    permission_required = "doors.view_door"
    template_name = "doors/door_list.html"
    partial_name = "door-table"
    paginate_by = 200

    def get_queryset(self):
        return Door.objects.filter(gone_at__isnull=True).select_related("account", "site")
