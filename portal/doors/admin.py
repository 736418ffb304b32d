from django.contrib import admin

from portal.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from portal.doors.models import Alarm, Door, DoorCommand, DoorEvent, DoorGroupSite, DoorStateChange
from portal.doors.sites import apply_mapping


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


@admin.register(DoorGroupSite)
class DoorGroupSiteAdmin(AuditedAdmin):
    """Which site each vendor door group or lock location stands for; a change moves its doors."""

    list_display = ["group", "account", "site", "guessed"]
    list_editable = ["site"]
    list_filter = ["account", "guessed", "site"]
    search_fields = ["group"]
    readonly_fields = ["account", "group", "guessed"]

    def has_add_permission(self, request):
        return False  # the mirror adds a row for each group it sees

    def save_model(self, request, obj, form, change):
        obj.guessed = False  # a person chose: never guessed over again
        super().save_model(request, obj, form, change)
        apply_mapping(obj)


@admin.register(Alarm)
class AlarmAdmin(ReadOnlyAdmin):
    list_display = [
        "raised_at",
        "kind",
        "door",
        "device",
        "source",
        "acknowledged_by",
        "acknowledged_at",
    ]
    list_filter = ["kind", "source"]


@admin.register(DoorStateChange)
class DoorStateChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "door", "state_before", "state", "mode"]
    list_filter = ["state", "mode"]
