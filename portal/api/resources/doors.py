"""/api/v1/doors/, /door-events/, /devices/: mirrors of what the vendors report (commands to a
door are sent from here too: ``door_control``)."""

import django_filters
from rest_framework import serializers

from portal.api.fields import SelectableFieldsMixin
from portal.api.resources.base import IdFilter, LogResource, ReadOnlyResource
from portal.api.resources.door_control import DoorCommandsMixin
from portal.devices.models import Device
from portal.doors.models import Door, DoorEvent
from portal.people.models import Person, Site
from portal.sync.models import VendorAccount


class DoorSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    is_alarm = serializers.BooleanField(read_only=True)

    class Meta:
        model = Door
        fields = (
            "id",
            "name",
            "account",
            "vendor_id",
            "device",
            "site",
            "state",
            "mode",
            "is_alarm",
            "state_changed_at",
            "last_event_at",
            "gone_at",
        )
        read_only_fields = fields


class DoorEventSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = DoorEvent
        fields = (
            "id",
            "door",
            "account",
            "occurred_at",
            "kind",
            "person",
            "vendor_user_id",
            "vendor_code",
            "description",
        )
        read_only_fields = fields


class DeviceSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = (
            "id",
            "name",
            "kind",
            "account",
            "vendor_id",
            "serial",
            "site",
            "online",
            "last_seen_at",
            "firmware",
            "gone_at",
        )
        read_only_fields = fields


class DoorFilterSet(django_filters.FilterSet):
    site = IdFilter(queryset=Site.objects.all())
    account = IdFilter(queryset=VendorAccount.objects.all())
    state = django_filters.ChoiceFilter(choices=Door.State.choices)

    class Meta:
        model = Door
        fields = ["site", "account", "state"]


class DoorEventFilterSet(django_filters.FilterSet):
    door = IdFilter(queryset=Door.objects.all())
    person = IdFilter(queryset=Person.objects.all())
    kind = django_filters.ChoiceFilter(choices=DoorEvent.Kind.choices)
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = DoorEvent
        fields = ["door", "person", "kind"]


class DeviceFilterSet(django_filters.FilterSet):
    site = IdFilter(queryset=Site.objects.all())
    account = IdFilter(queryset=VendorAccount.objects.all())
    kind = django_filters.ChoiceFilter(choices=Device.Kind.choices)

    class Meta:
        model = Device
        fields = ["site", "account", "kind", "online"]


class DoorViewSet(DoorCommandsMixin, ReadOnlyResource):
    """Doors with their state as last read from the vendor."""

    queryset = Door.objects.all()
    action_permissions = {"command": ["doors.command_door"]}
    conflict_actions = ("command",)
    serializer_class = DoorSerializer
    filterset_class = DoorFilterSet
    ordering_fields = ("id", "name", "state", "state_changed_at")
    ordering = ["id"]


class DoorEventViewSet(LogResource):
    """What happened at the doors, newest first; read with the cursor in ``next``."""

    queryset = DoorEvent.objects.all()
    serializer_class = DoorEventSerializer
    filterset_class = DoorEventFilterSet


class DeviceViewSet(ReadOnlyResource):
    queryset = Device.objects.all()
    serializer_class = DeviceSerializer
    filterset_class = DeviceFilterSet
    ordering_fields = ("id", "name", "kind", "last_seen_at")
    ordering = ["id"]
