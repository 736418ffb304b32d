from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView
from portal.devices.models import Device


class DeviceListView(PermissionRequiredMixin, PartialListView):
    permission_required = "devices.view_device"
    template_name = "devices/device_list.html"
    partial_name = "device-table"

    def get_queryset(self):
        return Device.objects.filter(gone_at__isnull=True).select_related("account", "site")
