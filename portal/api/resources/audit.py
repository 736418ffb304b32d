"""/api/v1/audit/: the audit log, read-only, newest first."""

import django_filters
from rest_framework import serializers

from portal.api.fields import SelectableFieldsMixin
from portal.api.resources.base import LogResource
from portal.core.models import AuditEntry


class AuditEntrySerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = (
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "ip_address",
        )
        read_only_fields = fields


class AuditFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", help_text="Username.")
    at_after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "object_type", "object_id"]


class AuditEntryViewSet(LogResource):
    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditFilterSet
