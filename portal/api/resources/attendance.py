"""/api/v1/punches/, /timecards/, /timecard-periods/: the timecard pages' data and buttons.

Writes go through ``portal.attendance.services`` as the day panel and the period grid do: the
same checks (a locked period refuses, answered here with 409), the same audit entries. A
manager sees only their team (``visible_people``); anyone else's punch or card is a 404.
"""

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import Conflict, refusals
from portal.api.fields import SelectableFieldsMixin, UsernameOf
from portal.api.forms import valid
from portal.api.pagination import TimeKeysetPagination
from portal.api.resources.base import LOG_FILTERS, IdFilter, ReadOnlyResource
from portal.attendance import services
from portal.attendance.days import newest_first
from portal.attendance.models import Punch, TimeCard, TimePeriod
from portal.attendance.selectors import visible_people, visible_person
from portal.people.models import Person
from portal.sync.models import VendorAccount

ALL_TEAMS = "attendance.view_all_timecards"


def visible_rows(user, queryset):
    """Rows of people this user may see; unmatched rows (no person) only for those who see all."""
    if user.has_perm(ALL_TEAMS):
        return queryset
    return queryset.filter(person__in=visible_people(user))


def person_for(user, person_id) -> Person:
    """The person if in this user's teams; another team's id is a 404 like a missing one."""
    try:
        return visible_person(user, person_id)
    except Http404:
        raise exceptions.NotFound("No such person in your teams.") from None


class PunchSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Punch
        fields = (
            "id",
            "person",
            "account",
            "source",
            "vendor_id",
            "vendor_person_id",
            "punched_at",
            "direction",
            "device",
            "door",
            "local_time",
            "time_zone",
            "received_at",
            "duplicate_of",
            "created_by",
            "reason",
            "moved_from",
            "voided_at",
            "voided_by",
            "void_reason",
        )
        read_only_fields = fields


class ReasonField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Kept with the change and shown on the card.")
        super().__init__(max_length=300, **kwargs)


class PunchInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, help_text="The person's id.")
    at = serializers.DateTimeField(help_text="When; give the offset (or Z for UTC).")
    direction = serializers.ChoiceField(choices=[Punch.Direction.IN, Punch.Direction.OUT])
    reason = ReasonField()


class PunchMoveSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="The corrected time; give the offset (or Z).")
    reason = ReasonField()


class PunchVoidSerializer(serializers.Serializer):
    reason = ReasonField()


class PunchFilterSet(django_filters.FilterSet):
    person = IdFilter(queryset=Person.objects.all())
    account = IdFilter(queryset=VendorAccount.objects.all())
    source = django_filters.ChoiceFilter(choices=Punch.Source.choices)
    direction = django_filters.ChoiceFilter(choices=Punch.Direction.choices)
    punched_after = django_filters.IsoDateTimeFilter(field_name="punched_at", lookup_expr="gte")
    punched_before = django_filters.IsoDateTimeFilter(field_name="punched_at", lookup_expr="lt")
    voided = django_filters.BooleanFilter(
        field_name="voided_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Punch
        fields = ["person", "account", "source", "direction"]


class PunchKeysetPagination(TimeKeysetPagination):
    """One person's punches (``?person=``) are read through the (day, person) index a few days
    at a time, newest day first (:func:`portal.attendance.days.newest_first`): the same page as
    walking every punch newest first, without reading the other people's on the way."""

    def read(self, rows, count, before):
        if self.request.query_params.get("person"):
            return newest_first(rows, count, before)
        return super().read(rows, count, before)


class PunchViewSet(mixins.CreateModelMixin, ReadOnlyResource):
    """Punches from every clock and those entered by hand, newest first, read with the cursor in
    ``next``. A correction never deletes: a moved punch is voided and points at its replacement."""

    queryset = Punch.objects.defer("raw")  # the vendor record is not served: not read
    serializer_class = PunchSerializer
    filterset_class = PunchFilterSet
    filter_backends = LOG_FILTERS
    pagination_class = PunchKeysetPagination
    action_permissions = {
        "create": [services.CORRECT],
        "move": [services.CORRECT],
        "void": [services.CORRECT],
    }
    conflict_actions = ("create", "move", "void")

    def get_queryset(self):
        return visible_rows(self.request.user, super().get_queryset())

    def editable(self) -> Punch:
        punch = self.get_object()
        if punch.person_id is None:
            raise Conflict("This punch belongs to nobody yet: link its person first.")
        return punch

    @extend_schema(request=PunchInputSerializer, responses={201: PunchSerializer})
    def create(self, request):
        """Add a missing punch by hand (it reaches the time systems like a clock's punch).

        409 when the day is in an approved period."""
        data = valid(PunchInputSerializer, request)
        person = person_for(request.user, data["person"])
        with refusals(conflict=services.TimecardError):
            punch = services.add_punch(
                request.user,
                person,
                data["at"],
                data["direction"],
                data["reason"],
                request=request,
            )
        return Response(PunchSerializer(punch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PunchMoveSerializer, responses=PunchSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Correct a punch's time: answers with the new punch; the original is kept, voided."""
        punch = self.editable()
        data = valid(PunchMoveSerializer, request)
        with refusals(conflict=services.TimecardError):
            moved = services.move_punch(
                request.user, punch, data["at"], data["reason"], request=request
            )
        return Response(PunchSerializer(moved).data)

    @extend_schema(request=PunchVoidSerializer, responses=PunchSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a punch: it is kept and no longer counts."""
        punch = self.editable()
        data = valid(PunchVoidSerializer, request)
        with refusals(conflict=services.TimecardError):
            services.void_punch(request.user, punch, data["reason"], request=request)
        punch.refresh_from_db()
        return Response(PunchSerializer(punch).data)


class TimeCardSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    flags = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="missing_out, late, corrected, … as the grid's badges.",
    )
    pairs = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(allow_null=True), min_length=2, max_length=2
        ),
        read_only=True,
        help_text="[in, out] as counted; either can be null.",
    )

    class Meta:
        model = TimeCard
        fields = (
            "id",
            "person",
            "work_date",
            "first_in",
            "last_out",
            "worked_minutes",
            "break_minutes",
            "overtime_minutes",
            "weekly_overtime_minutes",
            "late_minutes",
            "early_minutes",
            "flags",
            "pairs",
            "arrived_after_approval",
            "status",
            "updated_at",
        )
        read_only_fields = fields


class TimePeriodSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    locked = serializers.BooleanField(read_only=True)
    decided_by = UsernameOf(optional=True)

    class Meta:
        model = TimePeriod
        fields = (
            "id",
            "person",
            "start",
            "end",
            "status",
            "locked",
            "decided_by",
            "decided_at",
            "comment",
        )
        read_only_fields = fields


class PeriodInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, help_text="The person's id.")
    start = serializers.DateField(help_text="First day of the period (a week or a month).")
    end = serializers.DateField(help_text="Last day, inclusive; at most 31 days after start.")

    def validate(self, data):
        if data["end"] < data["start"] or (data["end"] - data["start"]).days > 31:
            raise serializers.ValidationError(
                {"end": ["A period is one day to 31 days long; pick a week or a month."]}
            )
        return data


class RejectInputSerializer(PeriodInputSerializer):
    comment = ReasonField(help_text="What to correct; shown to whoever corrects the cards.")


class ReopenInputSerializer(PeriodInputSerializer):
    reason = ReasonField()


class TimeCardFilterSet(django_filters.FilterSet):
    person = IdFilter(queryset=Person.objects.all())
    start = django_filters.DateFilter(field_name="work_date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="work_date", lookup_expr="lte")
    status = django_filters.ChoiceFilter(choices=TimeCard.Status.choices)
    flag = django_filters.CharFilter(method="with_flag", help_text="Cards carrying this flag.")

    class Meta:
        model = TimeCard
        fields = ["person", "start", "end", "status"]

    def with_flag(self, queryset, name, value):
        return queryset.filter(flags__icontains=f'"{value}"')


class TimeCardViewSet(ReadOnlyResource):
    """One card per person and work day with its figures and flags; approve, reject or reopen a
    person's period (the period grid's buttons)."""

    queryset = TimeCard.objects.all()
    serializer_class = TimeCardSerializer
    filterset_class = TimeCardFilterSet
    ordering_fields = ("id", "work_date", "person")
    ordering = ["-work_date", "person_id"]
    action_permissions = {
        "approve": [services.APPROVE],
        "reject": [services.APPROVE],
        "reopen": [services.REOPEN],
    }
    conflict_actions = ("approve", "reject", "reopen")

    def get_queryset(self):
        return visible_rows(self.request.user, super().get_queryset())

    def decide(self, request, serializer_class, decide):
        data = valid(serializer_class, request)
        person = person_for(request.user, data["person"])
        with refusals(conflict=services.TimecardError):
            return decide(person, data)

    @extend_schema(request=PeriodInputSerializer, responses=TimePeriodSerializer)
    @action(detail=False, methods=["post"])
    def approve(self, request):
        """Approve and lock the period; 409 while a day misses a punch."""
        period = self.decide(
            request,
            PeriodInputSerializer,
            lambda person, data: services.approve_period(
                request.user, person, data["start"], data["end"], request=request
            ),
        )
        return Response(TimePeriodSerializer(period).data)

    @extend_schema(request=RejectInputSerializer, responses=TimePeriodSerializer)
    @action(detail=False, methods=["post"])
    def reject(self, request):
        """Send the period back for corrections, saying what to correct; 409 if approved."""
        period = self.decide(
            request,
            RejectInputSerializer,
            lambda person, data: services.reject_period(
                request.user, person, data["start"], data["end"], data["comment"], request=request
            ),
        )
        return Response(TimePeriodSerializer(period).data)

    @extend_schema(request=ReopenInputSerializer, responses=TimePeriodSerializer(many=True))
    @action(detail=False, methods=["post"])
    def reopen(self, request):
        """Unlock every approved period overlapping these days; 409 if none is approved."""
        periods = self.decide(
            request,
            ReopenInputSerializer,
            lambda person, data: services.reopen_period(
                request.user, person, data["start"], data["end"], data["reason"], request=request
            ),
        )
        return Response(TimePeriodSerializer(periods, many=True).data)


class TimePeriodFilterSet(django_filters.FilterSet):
    person = IdFilter(queryset=Person.objects.all())
    status = django_filters.ChoiceFilter(choices=TimePeriod.Status.choices)
    start = django_filters.DateFilter(
        field_name="end", lookup_expr="gte", help_text="Periods ending on or after this day."
    )
    end = django_filters.DateFilter(
        field_name="start", lookup_expr="lte", help_text="Periods starting on or before this day."
    )

    class Meta:
        model = TimePeriod
        fields = ["person", "status"]


class TimePeriodViewSet(ReadOnlyResource):
    """Periods someone decided on: approved (locked), rejected, or reopened."""

    queryset = TimePeriod.objects.select_related("decided_by")
    serializer_class = TimePeriodSerializer
    filterset_class = TimePeriodFilterSet
    ordering_fields = ("id", "start")
    ordering = ["-start", "person_id"]
    action_permissions = {
        "list": ["attendance.view_timecard"],
        "retrieve": ["attendance.view_timecard"],
    }

    def get_queryset(self):
        return visible_rows(self.request.user, super().get_queryset())
