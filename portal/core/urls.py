"""Included by ``portal/urls.py`` under the ``core:`` namespace, together with the dashboard's."""

from django.urls import path

from portal.core.views import pages

urlpatterns = [
    path("audit/", pages.AuditEntryListView.as_view(), name="audit-list"),
]
