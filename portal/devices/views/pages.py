from django.db.models import F, FilteredRelation, Q

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView
from portal.devices.models import Device


class DeviceListView(PermissionRequiredMixin, PartialListView):
    """Every device of every account: online or not, last seen, site, and its offline alarm."""

    permission_required = "devices.view_device"
    template_name = "devices/device_list.html"
    partial_name = "device-table"

    def get_queryset(self):
        # the doors app keeps alarms; at most one offline alarm per device is open (a constraint)
        open_offline = FilteredRelation(
            "alarms",
            condition=Q(alarms__kind="device_offline", alarms__acknowledged_at__isnull=True),
        )
        return (
            Device.objects.filter(gone_at__isnull=True)
            .select_related("account", "site")
            .annotate(open_offline=open_offline, offline_alarm_at=F("open_offline__raised_at"))
            .order_by("online", "site__name", "name")
        )
