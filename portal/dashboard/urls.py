"""Included by ``portal/urls.py`` under the ``core:`` namespace, the names links used before the
dashboard had its own app (``core:dashboard``, ``core:worker-status``)."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from portal.dashboard.views import pages, partials

urlpatterns = [
    path("", pages.DashboardView.as_view(), name="dashboard"),
    path("status/worker/", login_required(partials.worker_status_partial), name="worker-status"),
]
