from django.urls import path

from portal.attendance.views import pages

app_name = "attendance"

urlpatterns = [path("timecards/", pages.TimeCardListView.as_view(), name="timecard-list")]
