"""The period grid: one row a person, a cell a day, hours and flags in words."""

from django.views.generic import TemplateView

from portal.attendance.periods import span_from
from portal.attendance.selectors import period_grid
from portal.core.permissions import PermissionRequiredMixin
from portal.people.selectors import prefers_whole_tree


class PeriodGridView(PermissionRequiredMixin, TemplateView):
    permission_required = "attendance.view_timecard"
    template_name = "attendance/period_grid.html"

    def get_context_data(self, **kwargs):
        span = span_from(self.request.GET)
        user = self.request.user
        # a manager chooses how far their team reaches; those who see everyone have no choice
        team_choice = not user.has_perm("attendance.view_all_timecards")
        return super().get_context_data(
            span=span,
            rows=period_grid(user, span),
            team_choice=team_choice,
            whole_tree=team_choice and prefers_whole_tree(user),
            **grid_permissions(user),
            **kwargs,
        )


def grid_permissions(user) -> dict:
    return {
        "can_approve": user.has_perm("attendance.approve_timecard"),
        "can_reopen": user.has_perm("attendance.reopen_timeperiod"),
        "can_export": user.has_perm("attendance.export_timecards"),
    }
