from django.urls import path

from portal.attendance.views import approvals, day, exports, grid, pages

app_name = "attendance"

DAY = "timecards/people/<int:person_id>/days/<str:day>/"
PERIOD = "timecards/people/<int:person_id>/period/"

urlpatterns = [
    path("timecards/", pages.TimeCardListView.as_view(), name="timecard-list"),
    path("timecards/period/", grid.PeriodGridView.as_view(), name="grid"),
    path(DAY, day.DayPanelView.as_view(), name="day"),
    path(f"{DAY}punches/add/", day.CorrectionView.as_view(), name="punch-add"),
    path(f"{DAY}punches/<int:punch_id>/move/", day.MovePunchView.as_view(), name="punch-move"),
    path(f"{DAY}punches/<int:punch_id>/void/", day.VoidPunchView.as_view(), name="punch-void"),
    path(f"{PERIOD}approve/", approvals.DecisionView.as_view(), name="approve"),
    path(f"{PERIOD}reject/", approvals.RejectView.as_view(), name="reject"),
    path(f"{PERIOD}reopen/", approvals.ReopenView.as_view(), name="reopen"),
    path("timecards/period/approve/", approvals.BulkApproveView.as_view(), name="bulk-approve"),
    path("timecards/export.csv", exports.ExportView.as_view(kind="csv"), name="export-csv"),
    path("timecards/export.xlsx", exports.ExportView.as_view(kind="xlsx"), name="export-xlsx"),
]
