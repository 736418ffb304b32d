"""Terminals, door controllers and smart locks, as their vendors report them."""

from django.db import models


class Device(models.Model):
    class Kind(models.TextChoices):
        TERMINAL = "terminal", "Attendance terminal"
        CONTROLLER = "controller", "Door controller"
        LOCK = "lock", "Smart lock"

    account = models.ForeignKey(
        "sync.VendorAccount", on_delete=models.CASCADE, related_name="devices"
    )
    vendor_id = models.CharField(max_length=64, help_text="The vendor's id of this device.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    serial = models.CharField(
        max_length=64, blank=True, help_text="The serial number, when the vendor gives one."
    )
    name = models.CharField(max_length=100)
    site = models.ForeignKey(
        "people.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )
    online = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    offline_since = models.DateTimeField(
        null=True, blank=True, help_text="When the mirror first saw the device offline."
    )
    firmware = models.CharField(max_length=64, blank=True)
    gone_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the vendor no longer lists this device."
    )

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "vendor_id"], name="device_unique_per_account"
            )
        ]

    def __str__(self):
        return self.name
