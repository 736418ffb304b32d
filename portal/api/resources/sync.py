"""/api/v1/vendor-accounts/, /sync-runs/, /outbox/: the sync pages' data and buttons."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.errors import Conflict
from portal.api.fields import SelectableFieldsMixin
from portal.api.forms import instance_data, json_object, valid_form
from portal.api.resources.base import IdFilter, IdLookupMixin, LogResource
from portal.sync import services
from portal.sync.forms import VendorAccountForm
from portal.sync.models import OutboxMessage, SyncRun, VendorAccount

ACCOUNT_FORM_FIELDS = VendorAccountForm.Meta.fields


class VendorAccountSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    """An account's settings. Secrets are never returned: only the names of those saved."""

    secrets_saved = serializers.ListField(
        source="secret_names", child=serializers.CharField(), read_only=True
    )
    paused = serializers.SerializerMethodField()

    class Meta:
        model = VendorAccount
        fields = (
            "id",
            *ACCOUNT_FORM_FIELDS,
            "options",
            "secrets_saved",
            "paused",
            "paused_reason",
            "checked_at",
            "check_ok",
            "check_message",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_paused(self, account) -> bool:
        return account.paused_at is not None


class VendorAccountInputSerializer(serializers.ModelSerializer):
    """What a client sends: the settings, ``options`` by name, and ``secrets`` (write-only)."""

    options = serializers.DictField(required=False, help_text="The vendor's settings by name.")
    secrets = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        write_only=True,
        help_text="Passwords, tokens, keys by name. Never returned; leave one out to keep it.",
    )

    class Meta:
        model = VendorAccount
        fields = (*ACCOUNT_FORM_FIELDS, "options", "secrets")


class VendorAccountViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Vendor accounts, written through the Vendor accounts page's form and service (audited,
    secrets encrypted and write-only)."""

    queryset = VendorAccount.objects.all()
    serializer_class = VendorAccountSerializer
    filterset_fields = ["kind", "enabled"]
    ordering_fields = ("id", "name", "kind")
    ordering = ["name"]
    action_permissions = {
        "check": ["sync.change_vendoraccount"],
        "sync": ["sync.change_vendoraccount"],
    }

    def form_for(self, request, account: VendorAccount) -> VendorAccountForm:
        sent = json_object(request)
        if account.pk is None and not sent.get("kind"):
            raise serializers.ValidationError({"kind": ["Choose the kind of system."]})
        data = instance_data(account, ACCOUNT_FORM_FIELDS)
        data.update({k: v for k, v in sent.items() if k in ACCOUNT_FORM_FIELDS})
        options = sent.get("options") or {}
        secrets = sent.get("secrets") or {}
        if not isinstance(options, dict) or not isinstance(secrets, dict):
            raise serializers.ValidationError({"options": ["Send options and secrets as objects."]})
        data.update({f"option_{k}": v for k, v in account.options.items()})
        data.update({f"option_{k}": v for k, v in options.items()})
        data.update({f"secret_{k}": v for k, v in secrets.items()})
        return VendorAccountForm(data, instance=account)

    @extend_schema(request=VendorAccountInputSerializer, responses={201: VendorAccountSerializer})
    def create(self, request):
        form = valid_form(self.form_for(request, VendorAccount()))
        account = services.save_vendor_account(form, request)
        return Response(VendorAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=VendorAccountInputSerializer(partial=True), responses=VendorAccountSerializer
    )
    def partial_update(self, request, pk=None):
        """Change only the fields sent."""
        return self.update(request, pk, partial=True)

    @extend_schema(request=VendorAccountInputSerializer, responses=VendorAccountSerializer)
    def update(self, request, pk=None, partial=False):
        form = valid_form(self.form_for(request, self.get_object()))
        account = services.save_vendor_account(form, request)
        return Response(VendorAccountSerializer(account).data)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Queue a connection test; the answer appears in ``check_ok`` / ``check_message``."""
        services.request_check(self.get_object(), request)
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Queue a pull of every stream of the account now."""
        services.request_sync(self.get_object(), request)
        return Response(status=status.HTTP_202_ACCEPTED)


class SyncRunSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = (
            "id",
            "account",
            "stream",
            "status",
            "started_at",
            "finished_at",
            "resume_after",
            "pages",
            "fetched",
            "created",
            "updated",
            "unchanged",
            "skipped",
            "unmatched",
            "gone",
            "skipped_reasons",
            "warnings",
            "error",
        )
        read_only_fields = fields


class SyncRunFilterSet(django_filters.FilterSet):
    account = IdFilter(queryset=VendorAccount.objects.all())
    status = django_filters.ChoiceFilter(choices=SyncRun.Status.choices)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")

    class Meta:
        model = SyncRun
        fields = ["account", "stream", "status"]


class SyncRunViewSet(LogResource):
    """Pulls, newest first (the Sync health page's history)."""

    queryset = SyncRun.objects.all()
    serializer_class = SyncRunSerializer
    filterset_class = SyncRunFilterSet


class OutboxMessageSerializer(SelectableFieldsMixin, serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = OutboxMessage
        fields = (
            "id",
            "account",
            "record_kind",
            "action",
            "object_type",
            "object_id",
            "status",
            "attempts",
            "scheduled_for",
            "last_error",
            "vendor_answer",
            "created_at",
            "sent_at",
        )
        read_only_fields = fields

    def get_object_type(self, message) -> str:
        return ContentType.objects.get_for_id(message.content_type_id).model


class OutboxFilterSet(django_filters.FilterSet):
    account = IdFilter(queryset=VendorAccount.objects.all())
    status = django_filters.ChoiceFilter(choices=OutboxMessage.Status.choices)

    class Meta:
        model = OutboxMessage
        fields = ["account", "status", "record_kind", "object_id"]


class OutboxMessageViewSet(LogResource):
    """Changes on their way to vendors; a failed one can be queued again."""

    queryset = OutboxMessage.objects.all()
    serializer_class = OutboxMessageSerializer
    filterset_class = OutboxFilterSet
    action_permissions = {"retry": ["sync.change_outboxmessage"]}
    conflict_actions = ("retry",)

    @extend_schema(request=None, responses=OutboxMessageSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Queue a failed message again, now, with a fresh count of tries."""
        message = self.get_object()
        if message.status != OutboxMessage.Status.FAILED:
            raise Conflict(f"Only failed messages can be retried; this one is {message.status}.")
        services.retry_message(message, request)
        message.refresh_from_db()
        return Response(OutboxMessageSerializer(message).data)
