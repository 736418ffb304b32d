from django.urls import path

from portal.doors.views import alarms, events, pages

app_name = "doors"

urlpatterns = [
    path("", pages.DoorListView.as_view(), name="door-list"),
    path("<int:pk>/", pages.DoorDetailView.as_view(), name="door-detail"),
    path("alarms/", alarms.AlarmListView.as_view(), name="alarm-list"),
    path(
        "alarms/<int:pk>/acknowledge/",
        alarms.AlarmAcknowledgeView.as_view(),
        name="alarm-acknowledge",
    ),
    path("events/", events.EventListView.as_view(), name="event-list"),
    path("events/export.csv", events.EventExportView.as_view(), name="event-export"),
]
