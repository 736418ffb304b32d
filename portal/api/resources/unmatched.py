"""/api/v1/unmatched/: vendor people nobody is linked to yet; link them or create a person."""

import django_filters
from django.db import IntegrityError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import Conflict
from portal.api.fields import SelectableFieldsMixin
from portal.api.forms import json_object, valid_form
from portal.api.resources.base import IdFilter, ReadOnlyResource
from portal.api.resources.people import PersonDetailSerializer
from portal.sync.forms import LinkForm
from portal.sync.models import UnmatchedPerson, VendorAccount
from portal.sync.resolve import SystemAccountRefused, resolve_unmatched


class UnmatchedSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)

    class Meta:
        model = UnmatchedPerson
        fields = (
            "id",
            "account",
            "account_name",
            "vendor_id",
            "code",
            "first_name",
            "last_name",
            "email",
            "reason",
            "candidates",
            "system_account",
            "first_seen_at",
            "last_seen_at",
        )
        read_only_fields = fields


class LinkInputSerializer(serializers.Serializer):
    employee_code = serializers.CharField(
        max_length=32, help_text="Employee code of the person in Workgate to link the record to."
    )


class UnmatchedFilterSet(django_filters.FilterSet):
    account = IdFilter(queryset=VendorAccount.objects.all())
    reason = django_filters.ChoiceFilter(choices=UnmatchedPerson.Reason.choices)

    class Meta:
        model = UnmatchedPerson
        fields = ["account", "reason", "system_account"]


class UnmatchedViewSet(ReadOnlyResource):
    """The Unmatched page's queue. Seeing and linking need what the page needs (changing people);
    creating a person from a record also needs adding people."""

    queryset = (
        UnmatchedPerson.objects.select_related("account")
        .prefetch_related("candidates")
        .order_by("system_account", "account__name", "last_name", "first_name", "id")
    )
    serializer_class = UnmatchedSerializer
    filterset_class = UnmatchedFilterSet
    ordering_fields = ("id", "last_name", "first_seen_at", "last_seen_at")
    action_permissions = {
        "list": ["people.change_person"],
        "retrieve": ["people.change_person"],
        "link": ["people.change_person"],
        "create_person": ["people.change_person", "people.add_person"],
    }
    conflict_actions = ("link", "create_person")

    def resolve(self, request, person):
        entry = self.get_object()
        try:
            person = resolve_unmatched(entry, person, request=request)
        except SystemAccountRefused as refused:
            raise Conflict(str(refused)) from None
        except IntegrityError:
            raise Conflict(
                f"{person.full_name if person else 'That code'} is already linked to another "
                f"record of {entry.account.name}, or the code {entry.code} is taken."
            ) from None
        return Response(PersonDetailSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LinkInputSerializer, responses={201: PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        """Link the vendor record to the person with this employee code."""
        form = valid_form(LinkForm(json_object(request)))
        return self.resolve(request, form.person)

    @extend_schema(request=None, responses={201: PersonDetailSerializer})
    @action(detail=True, methods=["post"], url_path="create-person")
    def create_person(self, request, pk=None):
        """Create a new person from the vendor record and link them."""
        if not self.get_object().code.strip():
            raise exceptions.ValidationError(
                {"code": ["The record has no employee code there; link it to a person instead."]}
            )
        return self.resolve(request, None)
