"""Punches from every clock, the timecards built from them, and managers' decisions."""

from django.conf import settings
from django.db import models


class Punch(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "In"
        OUT = "out", "Out"
        BREAK_OUT = "break_out", "Break start"
        BREAK_IN = "break_in", "Break end"
        UNKNOWN = "unknown", "Unknown"

    account = models.ForeignKey(
        "sync.VendorAccount", on_delete=models.CASCADE, related_name="punches"
    )
    vendor_id = models.CharField(
        max_length=128, help_text="The vendor's natural key of this punch."
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="punches"
    )
    #: who the vendor says punched, kept so an unmatched punch attaches once the person is linked
    vendor_person_id = models.CharField(max_length=64, blank=True, db_index=True)
    punched_at = models.DateTimeField(help_text="UTC.")
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.UNKNOWN
    )
    device = models.ForeignKey(
        "devices.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="punches"
    )
    door = models.ForeignKey(
        "doors.Door", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-punched_at"]
        verbose_name_plural = "punches"
        constraints = [
            models.UniqueConstraint(fields=["account", "vendor_id"], name="punch_unique_vendor_id")
        ]
        indexes = [models.Index(fields=["person", "punched_at"])]

    def __str__(self):
        who = self.person or self.vendor_person_id or "unknown"
        return f"{who} {self.direction} {self.punched_at:%Y-%m-%d %H:%M}"


class TimeCard(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPORTED = "exported", "Exported to payroll"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="timecards")
    work_date = models.DateField()
    first_in = models.DateTimeField(null=True, blank=True)
    last_out = models.DateTimeField(null=True, blank=True)
    worked_minutes = models.PositiveIntegerField(default=0)
    break_minutes = models.PositiveIntegerField(default=0)
    overtime_minutes = models.PositiveIntegerField(default=0)
    #: e.g. ["missing_out", "late", "corrected"]
    flags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-work_date", "person__last_name"]
        permissions = [
            ("approve_timecard", "Can approve and reject timecards"),
            ("view_all_timecards", "Can see every team's timecards"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "work_date"], name="timecard_one_per_person_day"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.work_date}"


class Approval(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    timecard = models.ForeignKey(TimeCard, on_delete=models.CASCADE, related_name="approvals")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.decided_by} on {self.decided_at:%Y-%m-%d}"
