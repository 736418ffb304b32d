from django.contrib import admin

from portal.core.admin_mixins import ReadOnlyAdmin
from portal.doors.models import Door, DoorCommand, DoorEvent


@admin.register(Door)
class DoorAdmin(ReadOnlyAdmin):
    list_display = ["name", "site", "account", "state", "mode", "last_event_at"]
    list_filter = ["state", "mode", "account", "site"]
    search_fields = ["name", "vendor_id"]


@admin.register(DoorEvent)
class DoorEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "door", "kind", "person", "vendor_code"]
    list_filter = ["kind", "account"]
    date_hierarchy = "occurred_at"


@admin.register(DoorCommand)
class DoorCommandAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "door", "action", "requested_by", "status", "reason"]
    list_filter = ["action", "status"]
