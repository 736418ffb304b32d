from django.urls import path

from portal.devices.views import pages

app_name = "devices"

urlpatterns = [path("", pages.DeviceListView.as_view(), name="device-list")]
