from django.contrib import admin

from portal.core.admin_mixins import ReadOnlyAdmin
from portal.devices.models import Device


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "account", "site", "online", "last_seen_at"]
    list_filter = ["kind", "online", "account"]
    search_fields = ["name", "serial"]
