"""/api/v1/doors/{id}/commands/, /door-commands/, /alarms/, /lockdowns/: acting on doors.

Every write goes through the service the door pages call (``portal.doors.commands``,
``lockdown``, ``alarms``): the same checks, the same audit entries, the same queue.
"""

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import Conflict, refusals
from portal.api.fields import SelectableFieldsMixin, UsernameOf
from portal.api.forms import valid
from portal.api.resources.base import IdFilter, LogResource, ReadOnlyResource
from portal.devices.models import Device
from portal.doors import alarms, lockdown
from portal.doors.commands import UNLOCK_MINUTES, CommandRefused, HeldByLockdown, request_command
from portal.doors.models import Alarm, Door, DoorCommand, Lockdown
from portal.people.models import Site


class DoorCommandSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    requested_by = UsernameOf()

    class Meta:
        model = DoorCommand
        fields = (
            "id",
            "door",
            "action",
            "reason",
            "requested_by",
            "requested_at",
            "expires_at",
            "status",
            "sent_at",
            "answered_at",
            "vendor_answer",
            "error",
            "state_after",
            "unlock_until",
            "unlock_ended_at",
            "lockdown",
            "overrides_lockdown",
        )
        read_only_fields = fields


class DoorCommandInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=DoorCommand.Action.choices)
    reason = serializers.CharField(
        max_length=300, help_text="Why: kept in the audit log with your name."
    )
    minutes = serializers.ChoiceField(
        choices=UNLOCK_MINUTES,
        required=False,
        allow_null=True,
        help_text="Only for unlock (and required there): Workgate releases the door after it.",
    )

    def validate(self, data):
        if data["action"] == DoorCommand.Action.UNLOCK and not data.get("minutes"):
            raise serializers.ValidationError(
                {"minutes": ["Choose how long the door stays unlocked."]}
            )
        return data


class DoorCommandFilterSet(django_filters.FilterSet):
    door = IdFilter(queryset=Door.objects.all())
    status = django_filters.ChoiceFilter(choices=DoorCommand.Status.choices)
    action = django_filters.ChoiceFilter(choices=DoorCommand.Action.choices)
    requested_after = django_filters.IsoDateTimeFilter(field_name="requested_at", lookup_expr="gte")
    requested_before = django_filters.IsoDateTimeFilter(field_name="requested_at", lookup_expr="lt")

    class Meta:
        model = DoorCommand
        fields = ["door", "status", "action"]


class DoorCommandViewSet(LogResource):
    """Every door command and what became of it, newest first (send one with
    ``POST /doors/{id}/commands/``)."""

    queryset = DoorCommand.objects.select_related("requested_by")
    serializer_class = DoorCommandSerializer
    filterset_class = DoorCommandFilterSet


class DoorCommandsMixin:
    """On the doors resource: ``POST /doors/{id}/commands/`` sends a command to one door."""

    @extend_schema(request=DoorCommandInputSerializer, responses={202: DoorCommandSerializer})
    @action(detail=True, methods=["post"], url_path="commands")
    def command(self, request, pk=None):
        """Queue a command for the door; watch its ``status`` at ``/door-commands/{id}/``.

        409 when a lockdown holds the door and your role may not override it."""
        door = self.get_object()
        if door.gone_at is not None:
            raise Conflict(f"{door.name} is no longer reported by its system.")
        data = valid(DoorCommandInputSerializer, request)
        with refusals(conflict=HeldByLockdown, invalid=CommandRefused, field="action"):
            command = request_command(
                door,
                data["action"],
                data["reason"],
                request.user,
                request=request,
                minutes=data.get("minutes"),
            )
        command = DoorCommand.objects.select_related("requested_by").get(pk=command.pk)
        return Response(DoorCommandSerializer(command).data, status=status.HTTP_202_ACCEPTED)


class AlarmSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)
    acknowledged_by = UsernameOf(optional=True)

    class Meta:
        model = Alarm
        fields = (
            "id",
            "kind",
            "door",
            "device",
            "raised_at",
            "source",
            "event",
            "description",
            "is_open",
            "acknowledged_by",
            "acknowledged_at",
            "comment",
        )
        read_only_fields = fields


class AcknowledgeInputSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What was found or done.")


class AlarmFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("acknowledged", "Acknowledged")],
        method="by_status",
        help_text="open: waiting for someone; acknowledged: closed with a comment.",
    )
    kind = django_filters.ChoiceFilter(choices=Alarm.Kind.choices)
    door = IdFilter(queryset=Door.objects.all())
    device = IdFilter(queryset=Device.objects.all())
    raised_after = django_filters.IsoDateTimeFilter(field_name="raised_at", lookup_expr="gte")
    raised_before = django_filters.IsoDateTimeFilter(field_name="raised_at", lookup_expr="lt")

    class Meta:
        model = Alarm
        fields = ["status", "kind", "door", "device"]

    def by_status(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=(value == "open"))


class AlarmViewSet(ReadOnlyResource):
    """Alarms of doors and devices, newest first; open ones wait to be acknowledged."""

    queryset = Alarm.objects.select_related("acknowledged_by")
    serializer_class = AlarmSerializer
    filterset_class = AlarmFilterSet
    ordering_fields = ("id", "raised_at", "acknowledged_at")
    ordering = ["-raised_at", "-id"]
    action_permissions = {"acknowledge": ["doors.acknowledge_alarm"]}
    conflict_actions = ("acknowledge",)

    @extend_schema(request=AcknowledgeInputSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Close the alarm with a comment saying what was found or done."""
        alarm = self.get_object()
        if not alarm.is_open:
            raise Conflict(f"{alarm.acknowledged_by} acknowledged this alarm already.")
        comment = valid(AcknowledgeInputSerializer, request)["comment"]
        try:
            alarm = alarms.acknowledge(alarm, request.user, comment, request=request)
        except ValidationError:
            alarm.refresh_from_db()
            if not alarm.is_open:  # someone else got there between the check and the lock
                raise Conflict(
                    f"{alarm.acknowledged_by} acknowledged this alarm already."
                ) from None
            raise
        return Response(AlarmSerializer(alarm).data)


class LockdownSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    started_by = UsernameOf()
    ended_by = UsernameOf(optional=True)

    class Meta:
        model = Lockdown
        fields = (
            "id",
            "site",
            "scope",
            "reason",
            "is_active",
            "started_by",
            "started_at",
            "ended_by",
            "ended_at",
            "end_reason",
        )
        read_only_fields = fields


class LockdownStartSerializer(serializers.Serializer):
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(),
        required=False,
        allow_null=True,
        help_text="The site whose doors are locked; leave out (or null) for every site.",
    )
    reason = serializers.CharField(max_length=300)


class LockdownEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class LockdownFilterSet(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull")
    site = IdFilter(queryset=Site.objects.all())

    class Meta:
        model = Lockdown
        fields = ["active", "site"]


class LockdownViewSet(mixins.CreateModelMixin, ReadOnlyResource):
    """Lockdowns, newest first. Starting one locks every door of the site (or of every site) and
    holds them locked; while it lasts, opening them needs the override (administrators)."""

    queryset = Lockdown.objects.select_related("started_by", "ended_by", "site")
    serializer_class = LockdownSerializer
    filterset_class = LockdownFilterSet
    ordering_fields = ("id", "started_at")
    ordering = ["-started_at", "-id"]
    action_permissions = {
        "create": ["doors.start_lockdown"],
        "end": ["doors.end_lockdown"],
    }
    conflict_actions = ("end",)

    @extend_schema(request=LockdownStartSerializer, responses={201: LockdownSerializer})
    def create(self, request):
        """Start a lockdown."""
        data = valid(LockdownStartSerializer, request)
        started = lockdown.start_lockdown(
            request.user, site=data.get("site"), reason=data["reason"], request=request
        )
        started = self.get_queryset().get(pk=started.pk)
        return Response(LockdownSerializer(started).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LockdownEndSerializer, responses=LockdownSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the lockdown: its doors go back to their schedule."""
        held = self.get_object()
        data = valid(LockdownEndSerializer, request)
        with refusals(conflict=CommandRefused):
            lockdown.end_lockdown(
                held, request.user, reason=data.get("reason", ""), request=request
            )
        return Response(LockdownSerializer(self.get_queryset().get(pk=held.pk)).data)
