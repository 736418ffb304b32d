"""Administrators register webhook endpoints here (audited); deliveries are read and retried."""

from django import forms
from django.contrib import admin, messages
from django.core.validators import URLValidator

from portal.api.models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal.api.webhooks import signing
from portal.api.webhooks.delivery import retry_delivery
from portal.core import audit
from portal.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from portal.core.notify import EVENTS


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where Workgate POSTs each event (http or https).",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {text}") for name, text in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "enabled"]


def show_secret_once(request, endpoint, secret: str, what: str) -> None:
    messages.warning(
        request,
        f"{what} for “{endpoint.name}”: {secret} — copy it now into the receiver; it is not "
        "shown again. Verify each delivery's Workgate-Signature with it (see the API docs).",
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "enabled", "subscribed", "updated_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Events")
    def subscribed(self, endpoint):
        return ", ".join(endpoint.events)

    def save_model(self, request, obj, form, change):
        new = None
        if not change:
            new = signing.new_secret()
            obj.secret = {"current": new}
        super().save_model(request, obj, form, change)
        if new:
            show_secret_once(request, obj, new, "Signing secret")

    @admin.action(description="Rotate the signing secret (the old one signs for an overlap)")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            new = signing.new_secret()
            endpoint.secret = signing.rotated(endpoint.secret, new)
            endpoint.save(update_fields=["secret", "updated_at"])
            audit.record(
                "webhook_endpoint.secret_rotated",
                request=request,
                obj=endpoint,
                after={"previous_signs_until": endpoint.secret.get("previous_until")},
            )
            show_secret_once(request, endpoint, new, "New signing secret")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "duration_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log of every endpoint: each try's status code and time, in the rows' page."""

    list_display = [
        "created_at",
        "endpoint",
        "event",
        "subject",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "endpoint", "event"]
    search_fields = ["subject", "delivery_id"]
    inlines = [WebhookAttemptInline]
    actions = ["retry"]

    @admin.action(description="Retry the selected parked deliveries")
    def retry(self, request, queryset):
        parked = queryset.filter(status=WebhookDelivery.Status.PARKED)
        for row in parked:
            retry_delivery(row, request=request)
        messages.info(request, f"Queued {len(parked)} parked deliveries again.")

    def has_change_permission(self, request, obj=None):
        # the retry action needs it; the fields stay read-only (ReadOnlyAdmin's form has none)
        return request.user.has_perm("api.change_webhookdelivery") and obj is None


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["user"]
    exclude = ["digest"]
