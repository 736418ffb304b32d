from django.contrib import admin

from portal.attendance.models import Approval, Punch, TimeCard
from portal.core.admin_mixins import ReadOnlyAdmin


@admin.register(Punch)
class PunchAdmin(ReadOnlyAdmin):
    list_display = ["punched_at", "person", "vendor_person_id", "direction", "account", "device"]
    list_filter = ["direction", "account"]
    date_hierarchy = "punched_at"


@admin.register(TimeCard)
class TimeCardAdmin(ReadOnlyAdmin):
    list_display = ["work_date", "person", "worked_minutes", "status"]
    list_filter = ["status"]
    date_hierarchy = "work_date"


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "timecard", "decision", "decided_by"]
