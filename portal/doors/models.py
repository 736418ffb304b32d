"""Doors of every vendor, what happened at them, and the commands people sent them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
    group = models.CharField(
        max_length=100,
        blank=True,
        help_text="How the vendor groups the door (door group, lock location); mapped to a site.",
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.OFFLINE)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.NORMAL)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True)
    #: any change the board shows (state, mode, site, last event): the board's cheap version check
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

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
        LOCK_OPENED = "lock_opened", "Lock opened"
        ALARM_CLEARED = "alarm_cleared", "Alarm cleared"
        STATE_CHANGE = "state_change", "State change"
        OTHER = "other", "Other"

    account = models.ForeignKey("sync.VendorAccount", on_delete=models.CASCADE, related_name="+")
    door = models.ForeignKey(
        Door, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    device = models.ForeignKey(
        "devices.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="door_events",
    )
    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    method = models.CharField(
        max_length=32, blank=True, help_text="How the person identified: card, face, app …"
    )
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
        # keyset pages walk (occurred_at, id) descending, whole-feed or within one filter
        indexes = [
            models.Index(fields=["door", "-occurred_at"]),
            models.Index(fields=["-occurred_at", "-id"], name="door_event_feed"),
            models.Index(fields=["door", "-occurred_at", "-id"], name="door_event_door_feed"),
            models.Index(fields=["person", "-occurred_at", "-id"], name="door_event_person_feed"),
            models.Index(fields=["kind", "-occurred_at", "-id"], name="door_event_kind_feed"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.door} {self.occurred_at:%Y-%m-%d %H:%M}"


class DoorCommand(models.Model):
    class Action(models.TextChoices):
        OPEN = "open", "Open (momentary)"
        UNLOCK = "unlock", "Unlock for a while"
        LOCK = "lock", "Lock until released"
        RELEASE = "release", "Release to schedule"
        CLEAR_ALARM = "clear_alarm", "Clear alarm"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired before it was sent"
        #: the answer was lost after sending and the door's state could not be read either
        UNCERTAIN = "uncertain", "Outcome unknown"

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
    #: the door's state as read back from the vendor after the command
    state_after = models.CharField(max_length=12, blank=True)
    #: an unlock's end: Workgate releases the door to its schedule then
    unlock_until = models.DateTimeField(null=True, blank=True)
    #: when that timed unlock ended: released when due, or replaced by a later command
    unlock_ended_at = models.DateTimeField(null=True, blank=True)
    #: sent by a lockdown (its locks and, at its end, its releases)
    lockdown = models.ForeignKey(
        "Lockdown", null=True, blank=True, on_delete=models.PROTECT, related_name="commands"
    )
    #: an unlock, open or release sent into a lockdown by someone allowed to override it
    overrides_lockdown = models.BooleanField(default=False)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "unlock_until"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.door} by {self.requested_by}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SENT)

    @property
    def state_after_label(self) -> str:
        return dict(Door.State.choices).get(self.state_after, self.state_after)


class LockdownQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def covering(self, door: Door):
        """Active lockdowns that hold ``door``: its site's, and every all-sites one."""
        scope = models.Q(site__isnull=True)
        if door.site_id:
            scope |= models.Q(site_id=door.site_id)
        return self.active().filter(scope)


class Lockdown(models.Model):
    """Every door of a site (or of every site) locked and held locked until someone ends it."""

    site = models.ForeignKey(
        "people.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lockdowns",
        help_text="Empty: every site.",
    )
    reason = models.CharField(max_length=300)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    objects = LockdownQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        permissions = [
            ("start_lockdown", "Can start a lockdown"),
            ("end_lockdown", "Can end a lockdown"),
            ("override_lockdown", "Can open or unlock a door held by a lockdown"),
        ]

    def __str__(self):
        return f"Lockdown of {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.site) if self.site_id else "every site"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def doors(self):
        """The doors it holds: the site's (or all), not gone."""
        doors = Door.objects.filter(gone_at__isnull=True)
        return doors.filter(site_id=self.site_id) if self.site_id else doors


class DoorStateChange(models.Model):
    """One change of a door's state or mode as the mirror saw it: the door page's history."""

    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="state_changes")
    changed_at = models.DateTimeField()
    state_before = models.CharField(max_length=12, choices=Door.State.choices, blank=True)
    state = models.CharField(max_length=12, choices=Door.State.choices)
    mode_before = models.CharField(max_length=16, choices=Door.Mode.choices, blank=True)
    mode = models.CharField(max_length=16, choices=Door.Mode.choices)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["door", "-changed_at"])]

    def __str__(self):
        return (
            f"{self.door} {self.state_before or '—'} → {self.state} at {self.changed_at:%H:%M:%S}"
        )


class DoorGroupSite(models.Model):
    """Which site a vendor's door group (BioStar) or lock location (WorkTime) stands for.

    The mirror guesses it once (a site named like the group); an administrator's choice wins and
    is applied to the doors at once."""

    account = models.ForeignKey(
        "sync.VendorAccount", on_delete=models.CASCADE, related_name="door_group_sites"
    )
    group = models.CharField(max_length=100, help_text="The vendor's door group or location.")
    site = models.ForeignKey(
        "people.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the group's doors are listed under “No site”.",
    )
    guessed = models.BooleanField(
        default=True, help_text="Set by the automatic guess; cleared when a person chooses."
    )

    class Meta:
        ordering = ["account__name", "group"]
        verbose_name = "door group site"
        constraints = [
            models.UniqueConstraint(fields=["account", "group"], name="door_group_site_unique")
        ]

    def __str__(self):
        return f"{self.group} → {self.site or 'no site'}"


class Alarm(models.Model):
    """Something the desk must see and acknowledge; kept until acknowledged, never dropped."""

    class Kind(models.TextChoices):
        FORCED_OPEN = "forced_open", "Forced open"
        HELD_OPEN = "held_open", "Held open"
        DEVICE_OFFLINE = "device_offline", "Device offline"
        TAMPER = "tamper", "Tamper"

    class Source(models.TextChoices):
        STATE = "state", "Door state"
        EVENT = "event", "Event"
        DEVICE = "device", "Device status"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    door = models.ForeignKey(
        Door, null=True, blank=True, on_delete=models.CASCADE, related_name="alarms"
    )
    device = models.ForeignKey(
        "devices.Device", null=True, blank=True, on_delete=models.CASCADE, related_name="alarms"
    )
    raised_at = models.DateTimeField(help_text="When the occurrence happened or was first seen.")
    source = models.CharField(max_length=8, choices=Source.choices)
    event = models.ForeignKey(
        DoorEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(max_length=200, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        permissions = [("acknowledge_alarm", "Can acknowledge alarms")]
        constraints = [
            # one open alarm per (door, kind) and per (device, kind): raising is idempotent
            models.UniqueConstraint(
                fields=["door", "kind"],
                condition=Q(acknowledged_at__isnull=True, door__isnull=False),
                name="alarm_one_open_per_door_kind",
            ),
            models.UniqueConstraint(
                fields=["device", "kind"],
                condition=Q(acknowledged_at__isnull=True, device__isnull=False),
                name="alarm_one_open_per_device_kind",
            ),
        ]
        indexes = [models.Index(fields=["acknowledged_at", "-raised_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.door or self.device}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def place(self):
        return self.door or self.device
