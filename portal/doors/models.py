"""Doors of every vendor, what happened at them, and the commands people sent them."""

from django.conf import settings
from django.db import models


class Door(models.Model):
    class State(models.TextChoices):
        LOCKED = "locked", "Locked"
        UNLOCKED = "unlocked", "Unlocked"
        OPEN = "open", "Open"
        FORCED = "forced", "Forced open"
        HELD_OPEN = "held_open", "Held open"
        OFFLINE = "offline", "Offline"

    class Mode(models.TextChoices):
        NORMAL = "normal", "Normal"
        MANUAL_LOCK = "manual_lock", "Manual lock"
        MANUAL_UNLOCK = "manual_unlock", "Manual unlock"
        LOCKDOWN = "lockdown", "Lockdown"
        SCHEDULED_LOCK = "scheduled_lock", "Scheduled lock"
        SCHEDULED_UNLOCK = "scheduled_unlock", "Scheduled unlock"

    account = models.ForeignKey(
        "sync.VendorAccount", on_delete=models.CASCADE, related_name="doors"
    )
    vendor_id = models.CharField(max_length=64)
    device = models.ForeignKey(
        "devices.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="doors"
    )
    site = models.ForeignKey(
        "people.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="doors"
    )
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OFFLINE)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.NORMAL)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site__name", "name"]
        permissions = [("command_door", "Can open, unlock, lock and release doors")]
        constraints = [
            models.UniqueConstraint(fields=["account", "vendor_id"], name="door_unique_per_account")
        ]

    def __str__(self):
        return self.name

    @property
    def is_alarm(self) -> bool:
        return self.state in {self.State.FORCED, self.State.HELD_OPEN}


class DoorEvent(models.Model):
    class Kind(models.TextChoices):
        GRANTED = "granted", "Access granted"
        DENIED = "denied", "Access denied"
        FORCED_OPEN = "forced_open", "Forced open"
        HELD_OPEN = "held_open", "Held open"
        ALARM_CLEARED = "alarm_cleared", "Alarm cleared"
        STATE_CHANGE = "state_change", "State change"
        OTHER = "other", "Other"

    account = models.ForeignKey("sync.VendorAccount", on_delete=models.CASCADE, related_name="+")
    door = models.ForeignKey(
        Door, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="door_events",
    )
    vendor_user_id = models.CharField(max_length=64, blank=True)
    vendor_code = models.CharField(max_length=32, blank=True, help_text="The vendor's event code.")
    #: the vendor's natural key, e.g. BioStar's "datetime|device_id|id" (ids restart each month)
    vendor_key = models.CharField(max_length=128)
    description = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "vendor_key"], name="door_event_unique_vendor_key"
            )
        ]
        indexes = [models.Index(fields=["door", "-occurred_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.door} {self.occurred_at:%Y-%m-%d %H:%M}"


class DoorCommand(models.Model):
    class Action(models.TextChoices):
        OPEN = "open", "Open (momentary)"
        UNLOCK = "unlock", "Unlock until released"
        LOCK = "lock", "Lock until released"
        RELEASE = "release", "Release to schedule"
        CLEAR_ALARM = "clear_alarm", "Clear alarm"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired before it was sent"

    door = models.ForeignKey(Door, on_delete=models.PROTECT, related_name="commands")
    action = models.CharField(max_length=12, choices=Action.choices)
    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        help_text="Not sent after this moment: a late open is dangerous."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    vendor_answer = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.get_action_display()} {self.door} by {self.requested_by}"
