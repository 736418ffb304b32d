from portal.attendance.selectors import visible_timecards
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView


class TimeCardListView(PermissionRequiredMixin, PartialListView):
    permission_required = "attendance.view_timecard"
    template_name = "attendance/timecard_list.html"
    partial_name = "timecard-table"

    def get_queryset(self):
        return visible_timecards(self.request.user)
