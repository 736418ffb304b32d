from django.urls import path

from portal.doors.views import alarms, commands, events, lockdown, pages

app_name = "doors"

urlpatterns = [
    path("", pages.DoorListView.as_view(), name="door-list"),
    path("<int:pk>/commands/", commands.DoorCommandPanelView.as_view(), name="door-commands"),
    path("commands/<int:pk>/", commands.DoorCommandStatusView.as_view(), name="command-status"),
    path("lockdown/", lockdown.LockdownView.as_view(), name="lockdown"),
    path("lockdown/start/", lockdown.LockdownStartView.as_view(), name="lockdown-start"),
    path("lockdown/<int:pk>/end/", lockdown.LockdownEndView.as_view(), name="lockdown-end"),
    path("lockdown/banner/", lockdown.LockdownBannerView.as_view(), name="lockdown-banner"),
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
