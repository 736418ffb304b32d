"""/api/v1/people/: the People pages' list, detail, add, edit, terminate and rehire."""

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import Conflict
from portal.api.fields import SelectableFieldsMixin
from portal.api.forms import instance_data, json_object, valid_form
from portal.api.resources.base import IdFilter, IdLookupMixin
from portal.people import services
from portal.people.filters import PersonFilterSet as PagesFilterSet
from portal.people.forms import PersonForm, TerminationForm
from portal.people.models import Department, Person, Site
from portal.sync import overrides
from portal.sync.presence import presence_of
from portal.sync.provisioning_forms import provisioning_form


class SystemSerializer(serializers.Serializer):
    """Where the person stands in one connected system."""

    account = serializers.IntegerField(source="account.pk")
    account_name = serializers.CharField(source="account.name")
    kind = serializers.CharField(source="account.kind")
    writable = serializers.BooleanField()
    state = serializers.ChoiceField(choices=["linked", "absent", "pending", "failed", "drift"])
    vendor_id = serializers.CharField(source="link.vendor_id", default=None, allow_null=True)
    last_error = serializers.CharField(source="latest.last_error", default="")
    should_be_in = serializers.BooleanField(
        source="decision.should",
        default=None,
        allow_null=True,
        help_text="Whether the provisioning rules (or the override) put the person in this "
        "system; null for a system Workgate does not write people to.",
    )
    provisioned_by = serializers.CharField(
        source="decision.why", default="", help_text="Which rule, or the override, decided."
    )
    override = serializers.ChoiceField(
        source="decision.override",
        choices=["", "always", "never"],
        default="",
        help_text="HR's choice for this person: always, never, or empty (follow the rules).",
    )
    provisioning = serializers.ChoiceField(
        choices=["", "in", "creating", "missing", "leaving", "out", "still_in", "absent"],
        help_text="Should be in / is in, in one word: in, creating (on its way), missing "
        "(should be in, is not), leaving (being disabled), out (disabled there), still_in "
        "(should not be in, is: disabled with the next change), absent (not there, as it "
        "should be).",
    )
    access_groups = serializers.ListField(
        child=serializers.CharField(),
        help_text="Access groups the vendor's record held when last read.",
    )
    wanted_access_groups = serializers.ListField(
        source="decision.group_names",
        child=serializers.CharField(),
        default=list,
        help_text="Access groups the person should hold there (the rules' and HR's).",
    )


class SystemChoiceSerializer(serializers.Serializer):
    account = serializers.IntegerField(help_text="The vendor account's id.")
    override = serializers.ChoiceField(
        choices=["", "always", "never"],
        required=False,
        help_text="always, never, or empty to follow the rules; left out: unchanged.",
    )
    access_groups = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the access groups HR gives the person there (besides the rules'); "
        "left out: unchanged.",
    )


class ProvisioningInputSerializer(serializers.Serializer):
    systems = SystemChoiceSerializer(many=True)


class PersonSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    # an address, or empty when none is known: not "format: email", which an empty one breaks
    email = serializers.CharField(read_only=True, help_text="E-mail address; empty when unknown.")

    class Meta:
        model = Person
        # what the People form edits, then what only the portal sets
        fields = (
            "id",
            *PersonForm.Meta.fields,
            "full_name",
            "status",
            "termination_date",
            "termination_reason",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class PersonDetailSerializer(PersonSerializer):
    systems = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = (*PersonSerializer.Meta.fields, "systems")
        read_only_fields = fields

    @extend_schema_field(SystemSerializer(many=True))
    def get_systems(self, person):
        return SystemSerializer(presence_of(person), many=True).data


class PersonInputSerializer(serializers.ModelSerializer):
    """What a client sends to add or edit a person: the fields of the People form."""

    class Meta:
        model = Person
        fields = PersonForm.Meta.fields
        extra_kwargs = {"employee_code": {"validators": []}}


class TerminationInputSerializer(serializers.Serializer):
    termination_date = serializers.DateField(help_text="The last working day.")
    reason = serializers.CharField(max_length=200)
    when = serializers.ChoiceField(
        choices=[TerminationForm.AT_END_OF_DAY, TerminationForm.NOW],
        required=False,
        help_text="end_of_day (default): access ends at the end of the last working day in the "
        "person's site zone, or at once if that day is over; now: an involuntary termination.",
    )


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        help_text='Beginnings of words in name, code or e-mail ("hin" finds Hinrichs).',
    )
    status = django_filters.ChoiceFilter(choices=Person.Status.choices)
    department = IdFilter(queryset=Department.objects.all())
    site = IdFilter(field_name="sites", queryset=Site.objects.all())
    employee_code = django_filters.CharFilter()
    email = django_filters.CharFilter(lookup_expr="iexact")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Person
        fields = ["q", "status", "department", "site", "employee_code", "email"]

    search = PagesFilterSet.search  # the People page's search, word by word


class PersonViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People as HR keeps them. Writes go through the same service as the People pages: the same
    checks, the same audit entries, and every connected system hears of the change."""

    queryset = Person.objects.select_related("department", "position").prefetch_related("sites")
    filterset_class = PersonFilterSet
    ordering_fields = ("id", "employee_code", "last_name", "hire_date", "updated_at")
    ordering = ["id"]
    action_permissions = {
        "provisioning": ["people.change_person"],
        "terminate": ["people.terminate_person"],
        "rehire": ["people.terminate_person"],
    }
    conflict_actions = ("terminate", "rehire")

    def get_serializer_class(self):
        return PersonSerializer if self.action == "list" else PersonDetailSerializer

    def save_from(self, request, person: Person):
        """PUT and PATCH alike: fields left out keep their values."""
        data = instance_data(person, PersonForm.Meta.fields)
        data.update({k: v for k, v in json_object(request).items() if k in PersonForm.Meta.fields})
        form = valid_form(PersonForm(data, instance=person))
        return services.save_person(form, request)

    @extend_schema(request=PersonInputSerializer, responses={201: PersonDetailSerializer})
    def create(self, request):
        person = self.save_from(request, Person())
        return Response(PersonDetailSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonInputSerializer(partial=True), responses=PersonDetailSerializer)
    def partial_update(self, request, pk=None):
        """Change only the fields sent."""
        return self.update(request, pk, partial=True)

    @extend_schema(request=PersonInputSerializer, responses=PersonDetailSerializer)
    def update(self, request, pk=None, partial=False):
        person = self.save_from(request, self.get_object())
        return Response(PersonDetailSerializer(person).data)

    @extend_schema(request=ProvisioningInputSerializer, responses=PersonDetailSerializer)
    @action(detail=True, methods=["post"])
    def provisioning(self, request, pk=None):
        """Set, per system, the override (always / never / follow the rules) and the person's
        own access groups: validated and saved as on the person page, audited, pushed."""
        person = self.get_object()
        given = ProvisioningInputSerializer(data=json_object(request))
        given.is_valid(raise_exception=True)
        form = provisioning_form(person)
        data = {}
        for decision in form.decisions:  # what is not sent stays as it is
            pk_ = decision.account.pk
            data[f"mode_{pk_}"] = decision.override
            if f"groups_{pk_}" in form.fields:
                data[f"groups_{pk_}"] = [str(v) for v in form.fields[f"groups_{pk_}"].initial]
        known = {d.account.pk for d in form.decisions}
        for system in given.validated_data["systems"]:
            if system["account"] not in known:
                raise exceptions.ValidationError(
                    {"systems": [f"Account {system['account']} does not take people writes."]}
                )
            if "override" in system:
                data[f"mode_{system['account']}"] = system["override"]
            if "access_groups" in system:
                data[f"groups_{system['account']}"] = [str(v) for v in system["access_groups"]]
        form = valid_form(provisioning_form(person, data, decisions=form.decisions))
        with transaction.atomic():
            overrides.set_overrides(person, form.modes(), request=request)
            for account_id, groups in form.chosen_groups().items():
                account = next(d.account for d in form.decisions if d.account.pk == account_id)
                overrides.set_access_groups(person, account, groups, request=request)
        return Response(PersonDetailSerializer(person).data)

    @extend_schema(request=TerminationInputSerializer, responses=PersonDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """Terminate: access is revoked in every connected system."""
        person = self.get_object()
        if person.status == Person.Status.TERMINATED:
            raise Conflict(f"{person.full_name} is already terminated.")
        form = valid_form(TerminationForm(json_object(request), person=person))
        # the page's confirmed step: at once, or scheduled for the end of the last working day
        try:
            services.request_termination(
                person,
                last_day=form.cleaned_data["termination_date"],
                reason=form.cleaned_data["reason"],
                immediate=form.immediate,
                request=request,
            )
        except ValidationError as refused:
            raise Conflict(" ".join(refused.messages)) from None
        person.refresh_from_db()
        return Response(PersonDetailSerializer(person).data)

    @extend_schema(request=None, responses=PersonDetailSerializer)
    @action(detail=True, methods=["post"])
    def rehire(self, request, pk=None):
        """Rehire a terminated person: connected systems re-enable them."""
        person = self.get_object()
        if person.status == Person.Status.ACTIVE:
            raise Conflict(f"{person.full_name} is already active; nothing changed.")
        services.rehire_person(person, request=request)
        return Response(PersonDetailSerializer(person).data)
