from django.urls import path

from portal.doors.views import pages

app_name = "doors"

urlpatterns = [path("", pages.DoorListView.as_view(), name="door-list")]
