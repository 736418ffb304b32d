"""API tokens, and the webhook endpoints Workgate calls with their outbox of deliveries."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from portal.sync.crypto import EncryptedJSONField


class ApiToken(models.Model):
    """A user's key to the API. Only the public prefix and a SHA-256 digest are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. “payroll export”."
    )
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class WebhookEndpoint(models.Model):
    """A receiver of Workgate's events, registered by an administrator."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    #: {"current": …, "previous": …, "previous_until": ISO time}: both sign during an overlap
    secret = EncryptedJSONField(blank=True, default=dict, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def __repr__(self):  # secrets never reach a log line
        return f"<WebhookEndpoint {self.pk} {self.name!r}>"


class WebhookDelivery(models.Model):
    """One event for one endpoint, kept until delivered: the webhook outbox.

    The body is stored as sent, so every attempt carries the same id and bytes; only the
    timestamp and signature are new each time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        PARKED = "parked", "Parked: needs a person"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    delivery_id = models.UUIDField(unique=True)
    event = models.CharField(max_length=64)
    #: what the event is about ("person:42"): one subject's deliveries go out in order
    subject = models.CharField(max_length=100)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    #: a worker sending it holds it until then; a worker that died lets it go at that moment
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "subject", "status"]),
        ]

    def __str__(self):
        return f"{self.event} {self.subject} → {self.endpoint} ({self.status})"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the receiver answered and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.delivery_id} at {self.at:%H:%M:%S}: {self.status_code or self.error}"
