"""/api/v1/shifts/, /shift-assignments/, /holidays/: the schedules timecards are built from.

Administrators set schedules up in the admin; through the API they write with the admin's own
permissions and audit entries (``admin.<model>.created`` / ``changed`` / ``deleted``, the row's
values before and after). Whoever sees timecards may read them.
"""

import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from portal.api.fields import SelectableFieldsMixin
from portal.api.resources.base import IdFilter, IdLookupMixin
from portal.attendance.models import PublicHoliday, ShiftAssignment, ShiftPattern
from portal.core import audit
from portal.core.admin_mixins import audit_action, snapshot
from portal.people.models import Department, Person, Site

READ = ["attendance.view_timecard"]


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{2}:\d{2}(:\d{2})?$",
        "example": "08:00:00",
        "description": "Wall-clock time in the site's zone (no offset).",
    }
)
class WallClockField(serializers.TimeField):
    """A shift's time of day: local to the site, so not RFC 3339's ``time`` (which needs an
    offset)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M:%S", **kwargs)


class ShiftPatternSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    start = WallClockField()
    end = WallClockField(help_text="At or before the start: the shift ends the next day.")
    work_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        max_length=7,
        help_text="Monday = 0 … Sunday = 6.",
    )

    class Meta:
        model = ShiftPattern
        fields = (
            "id",
            "name",
            "start",
            "end",
            "work_days",
            "break_minutes",
            "break_after_minutes",
            "late_grace_minutes",
            "early_grace_minutes",
            "daily_overtime_after",
            "weekly_overtime_after",
            "rounding_minutes",
            "auto_close",
        )

    def validate_work_days(self, days):
        return sorted(set(days))


class ShiftAssignmentSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = ShiftAssignment
        fields = ("id", "shift", "person", "department", "valid_from", "valid_to")

    def validate(self, data):
        merged = {
            name: data.get(name, getattr(self.instance, name, None))
            for name in ("person", "department", "valid_from", "valid_to")
        }
        if merged["person"] is None and merged["department"] is None:
            raise serializers.ValidationError(
                {"person": ["Give a person or a department the shift is for."]}
            )
        if (
            merged["valid_to"]
            and merged["valid_from"]
            and merged["valid_to"] < merged["valid_from"]
        ):
            raise serializers.ValidationError({"valid_to": ["Ends before it starts."]})
        return data


class PublicHolidaySerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = PublicHoliday
        fields = ("id", "site", "date", "name")


class ShiftAssignmentFilterSet(django_filters.FilterSet):
    shift = IdFilter(queryset=ShiftPattern.objects.all())
    person = IdFilter(queryset=Person.objects.all())
    department = IdFilter(queryset=Department.objects.all())

    class Meta:
        model = ShiftAssignment
        fields = ["shift", "person", "department"]


class PublicHolidayFilterSet(django_filters.FilterSet):
    site = IdFilter(queryset=Site.objects.all())
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = PublicHoliday
        fields = ["site", "start", "end"]


class AuditedLikeTheAdmin:
    """Writes audited exactly as ``AuditedAdmin`` audits the same change in the admin."""

    @transaction.atomic
    def perform_create(self, serializer):
        obj = serializer.save()
        audit.record(
            audit_action(obj, "created"), request=self.request, obj=obj, after=snapshot(obj)
        )

    @transaction.atomic
    def perform_update(self, serializer):
        before = snapshot(type(serializer.instance).objects.get(pk=serializer.instance.pk))
        obj = serializer.save()
        old, new = audit.changed_values(before, snapshot(obj))
        if old or new:
            audit.record(
                audit_action(obj, "changed"), request=self.request, obj=obj, before=old, after=new
            )

    @transaction.atomic
    def perform_destroy(self, instance):
        before = snapshot(instance)
        audit.record(
            audit_action(instance, "deleted"), request=self.request, obj=instance, before=before
        )
        instance.delete()


class ScheduleResource(IdLookupMixin, AuditedLikeTheAdmin, viewsets.ModelViewSet):
    action_permissions = {"list": READ, "retrieve": READ}
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class ShiftPatternViewSet(ScheduleResource):
    """Named shifts: times in the site's zone; an end at or before the start ends next day."""

    queryset = ShiftPattern.objects.all()
    serializer_class = ShiftPatternSerializer
    filterset_fields = {"name": ["icontains"]}
    ordering_fields = ("id", "name", "start")
    ordering = ["name"]


class ShiftAssignmentViewSet(ScheduleResource):
    """Who works which shift from when: a person's own assignment wins over their department's."""

    queryset = ShiftAssignment.objects.all()
    serializer_class = ShiftAssignmentSerializer
    filterset_class = ShiftAssignmentFilterSet
    ordering_fields = ("id", "valid_from")
    ordering = ["-valid_from", "id"]


class PublicHolidayViewSet(ScheduleResource):
    queryset = PublicHoliday.objects.all()
    serializer_class = PublicHolidaySerializer
    filterset_class = PublicHolidayFilterSet
    ordering_fields = ("id", "date")
    ordering = ["date", "id"]
