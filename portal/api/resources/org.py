"""/api/v1/departments/, /positions/, /sites/: the organisation people belong to.

Departments and positions are written here as in the admin: each add and change is audited with
the row's values before and after.
"""

import django_filters
from django.db import transaction
from rest_framework import mixins, serializers, viewsets

from portal.api.fields import SelectableFieldsMixin
from portal.api.resources.base import IdFilter, IdLookupMixin, ReadOnlyResource
from portal.core import audit
from portal.core.admin_mixins import snapshot
from portal.people.models import Department, Position, Site


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


class AuditedWrites:
    """Creates and changes land in the audit log as ``<model>.created`` / ``<model>.changed``."""

    @transaction.atomic
    def perform_create(self, serializer):
        obj = serializer.save()
        audit.record(
            f"{obj._meta.model_name}.created", request=self.request, obj=obj, after=snapshot(obj)
        )

    @transaction.atomic
    def perform_update(self, serializer):
        before = snapshot(type(serializer.instance).objects.get(pk=serializer.instance.pk))
        obj = serializer.save()
        old, new = audit.changed_values(before, snapshot(obj))
        if old or new:
            audit.record(
                f"{obj._meta.model_name}.changed",
                request=self.request,
                obj=obj,
                before=old,
                after=new,
            )


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


class SiteViewSet(ReadOnlyResource):
    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_fields = {"code": ["exact"], "name": ["icontains"]}
    ordering_fields = ("id", "name", "code")
    ordering = ["name"]
