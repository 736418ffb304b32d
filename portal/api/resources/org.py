"""/api/v1/departments/, /positions/, /sites/: the organisation people belong to.

Departments, positions and sites are written through the same service as the pages
(``portal.people.org_services.save_org``): each add and change is audited with the row's values
before and after and sent to the systems that model it.
"""

from zoneinfo import available_timezones

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers, viewsets

from portal.api.fields import SelectableFieldsMixin
from portal.api.resources.base import IdFilter, IdLookupMixin
from portal.people.models import Department, Position, Site
from portal.people.org_services import save_org


class DepartmentSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ("id", "name", "code", "parent")

    def validate_parent(self, parent):
        moving = self.instance
        if parent is not None and moving is not None and moving in (parent, *parent.ancestors()):
            raise serializers.ValidationError(
                "A department cannot sit under itself or one of its own sub-departments."
            )
        return parent


class PositionSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ("id", "name", "code")


class SiteSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ("id", "name", "code", "time_zone", "address")

    def validate_time_zone(self, zone):
        if zone not in available_timezones():
            raise serializers.ValidationError(
                f"{zone!r} is not a time zone name; use one like Europe/Berlin."
            )
        return zone


class AuditedWrites:
    """Creates and changes go through ``save_org``: audited as ``<kind>.created`` /
    ``<kind>.changed`` and queued for the systems that model the record, as from the pages."""

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer.Meta.model(**serializer.validated_data))

    def perform_update(self, serializer):
        obj = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(obj, field, value)
        self._save(obj)

    def _save(self, obj):
        try:
            return save_org(obj, request=self.request)
        except DjangoValidationError as refused:
            raise serializers.ValidationError(refused.message_dict) from refused


class WritableResource(
    IdLookupMixin,
    AuditedWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    pass


class DepartmentFilterSet(django_filters.FilterSet):
    parent = IdFilter(queryset=Department.objects.all())
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Department
        fields = ["code", "name", "parent"]


class DepartmentViewSet(WritableResource):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    ordering_fields = ("id", "name", "code")
    ordering = ["name"]


class PositionViewSet(WritableResource):
    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_fields = {"code": ["exact"], "name": ["icontains"]}
    ordering_fields = ("id", "name", "code")
    ordering = ["name"]


class SiteViewSet(WritableResource):
    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_fields = {"code": ["exact"], "name": ["icontains"]}
    ordering_fields = ("id", "name", "code")
    ordering = ["name"]
