from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django_celery_beat import admin as beat_admin
from django_celery_beat import models as beat_models

from portal.core import audit
from portal.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from portal.core.models import AuditEntry, WorkerHeartbeat


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["hostname", "last_beat_at"]


# Users, roles and schedules are edited in the admin only: audit them like the portal's pages.
# (portal.core comes after auth and django_celery_beat in INSTALLED_APPS, so theirs are registered.)
class AuditedPeriodicTaskAdmin(AuditedAdmin, beat_admin.PeriodicTaskAdmin):
    """The bulk actions write with ``queryset.update``: record each task's before and after."""

    def _audited_bulk(self, request, queryset, action, verb):
        before = {task.pk: task.enabled for task in queryset}
        action(self, request, queryset)
        for task in beat_models.PeriodicTask.objects.filter(pk__in=before):
            audit.record(
                f"admin.periodictask.{verb}",
                request=request,
                obj=task,
                before={"enabled": before[task.pk]},
                after={"enabled": task.enabled},
            )

    def enable_tasks(self, request, queryset):
        self._audited_bulk(request, queryset, beat_admin.PeriodicTaskAdmin.enable_tasks, "enabled")

    def disable_tasks(self, request, queryset):
        self._audited_bulk(
            request, queryset, beat_admin.PeriodicTaskAdmin.disable_tasks, "disabled"
        )

    def toggle_tasks(self, request, queryset):
        self._audited_bulk(request, queryset, beat_admin.PeriodicTaskAdmin.toggle_tasks, "toggled")

    def run_tasks(self, request, queryset):
        for task in queryset:
            audit.record("admin.periodictask.run", request=request, obj=task)
        beat_admin.PeriodicTaskAdmin.run_tasks(self, request, queryset)


AUDITED_THIRD_PARTY = [
    (User, UserAdmin),
    (Group, GroupAdmin),
    (beat_models.IntervalSchedule, beat_admin.IntervalScheduleAdmin),
    (beat_models.CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (beat_models.SolarSchedule, beat_admin.SolarScheduleAdmin),
    (beat_models.ClockedSchedule, beat_admin.ClockedScheduleAdmin),
]

for model, base_admin in AUDITED_THIRD_PARTY:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(
        model, type(f"Audited{base_admin.__name__}", (AuditedAdmin, base_admin), {})
    )

admin.site.unregister(beat_models.PeriodicTask)
admin.site.register(beat_models.PeriodicTask, AuditedPeriodicTaskAdmin)
