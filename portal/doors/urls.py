from django.urls import path

from portal.doors.views import commands, lockdown, pages

app_name = "doors"

urlpatterns = [
    path("", pages.DoorListView.as_view(), name="door-list"),
    path("<int:pk>/commands/", commands.DoorCommandPanelView.as_view(), name="door-commands"),
    path("commands/<int:pk>/", commands.DoorCommandStatusView.as_view(), name="command-status"),
    path("lockdown/", lockdown.LockdownView.as_view(), name="lockdown"),
    path("lockdown/start/", lockdown.LockdownStartView.as_view(), name="lockdown-start"),
    path("lockdown/<int:pk>/end/", lockdown.LockdownEndView.as_view(), name="lockdown-end"),
    path("lockdown/banner/", lockdown.LockdownBannerView.as_view(), name="lockdown-banner"),
]
