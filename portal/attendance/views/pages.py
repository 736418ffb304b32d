from portal.attendance.models import TimeCard
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView


def visible_timecards(user):
    """Managers see their own team; administrators and payroll see everyone's."""
    cards = TimeCard.objects.select_related("person")
    if user.has_perm("attendance.view_all_timecards"):
        return cards
    return cards.filter(person__manager__user=user)


class TimeCardListView(PermissionRequiredMixin, PartialListView):
    permission_required = "attendance.view_timecard"
    template_name = "attendance/timecard_list.html"
    partial_name = "timecard-table"

    def get_queryset(self):
        return visible_timecards(self.request.user)
