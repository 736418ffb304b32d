from django.contrib.auth.decorators import login_required
from django.urls import path

from portal.core.views import pages

app_name = "core"

urlpatterns = [
    path("", pages.DashboardView.as_view(), name="dashboard"),
    path("status/worker/", login_required(pages.worker_status_partial), name="worker-status"),
    path("audit/", pages.AuditEntryListView.as_view(), name="audit-list"),
]
