import json

from django.contrib import admin
from django.utils.html import format_html

from portal.attendance.models import (
    Approval,
    PublicHoliday,
    Punch,
    ShiftAssignment,
    ShiftPattern,
    TimeCard,
    TimePeriod,
)
from portal.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin


@admin.register(Punch)
class PunchAdmin(ReadOnlyAdmin):
    list_display = [
        "punched_at",
        "local_time",
        "person",
        "vendor_person_id",
        "direction",
        "source",
        "account",
        "device",
        "voided_at",
    ]
    list_filter = ["direction", "source", "account"]
    date_hierarchy = "punched_at"
    readonly_fields = ["vendor_record"]

    @admin.display(description="Vendor record")
    def vendor_record(self, punch):
        """The record as the vendor sent it (kept packed: not a form field of its own)."""
        return format_html("<pre>{}</pre>", json.dumps(punch.raw, indent=2, ensure_ascii=False))


@admin.register(TimeCard)
class TimeCardAdmin(ReadOnlyAdmin):
    list_display = ["work_date", "person", "worked_minutes", "status", "arrived_after_approval"]
    list_filter = ["status", "arrived_after_approval"]
    date_hierarchy = "work_date"


@admin.register(TimePeriod)
class TimePeriodAdmin(ReadOnlyAdmin):
    """Decisions are made on the timecard pages (audited there), never edited here."""

    list_display = ["start", "end", "person", "status", "decided_by", "decided_at"]
    list_filter = ["status"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "period", "timecard", "decision", "decided_by"]


# Schedules are set up by administrators in the admin, audited as the rest of it.
@admin.register(ShiftPattern)
class ShiftPatternAdmin(AuditedAdmin):
    list_display = ["name", "start", "end", "break_minutes", "late_grace_minutes"]


@admin.register(ShiftAssignment)
class ShiftAssignmentAdmin(AuditedAdmin):
    list_display = ["shift", "person", "department", "valid_from", "valid_to"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(AuditedAdmin):
    list_display = ["date", "name", "site"]
    list_filter = ["site"]
