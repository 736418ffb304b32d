from django.db.models import Case, Value, When

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
        alarm_first = Case(
            When(state__in=[Door.State.FORCED, Door.State.HELD_OPEN], then=Value(0)),
            When(state=Door.State.OFFLINE, then=Value(2)),
            default=Value(1),
        )
        return (
            Door.objects.filter(gone_at__isnull=True)
            .select_related("account", "site")
            .order_by(alarm_first, "site__name", "name")
        )
