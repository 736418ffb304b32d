"""Named shifts, who works them, and public holidays per site."""

from django.db import models


class ShiftPattern(models.Model):
    """A named shift: times in the site's zone; an end at or before the start ends next day."""

    name = models.CharField(max_length=100, unique=True)
    start = models.TimeField()
    end = models.TimeField()
    #: Monday = 0; e.g. [0, 1, 2, 3, 4]
    work_days = models.JSONField(default=list)
    break_minutes = models.PositiveIntegerField(default=30)
    break_after_minutes = models.PositiveIntegerField(
        default=360, help_text="The break is deducted once worked time passes this."
    )
    late_grace_minutes = models.PositiveIntegerField(default=5)
    early_grace_minutes = models.PositiveIntegerField(default=5)
    daily_overtime_after = models.PositiveIntegerField(default=480, help_text="Minutes; 0 = none.")
    weekly_overtime_after = models.PositiveIntegerField(
        default=2400, help_text="Minutes; 0 = none."
    )
    rounding_minutes = models.PositiveIntegerField(default=0, help_text="0 = no rounding.")
    auto_close = models.BooleanField(
        default=False, help_text="Close a missing out at the shift end (flagged as system-made)."
    )

    class Meta:
        app_label = "attendance"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.start:%H:%M}\u2013{self.end:%H:%M})"


class ShiftAssignment(models.Model):
    """A shift for a person, or for a department (a person's own assignment wins)."""

    shift = models.ForeignKey(ShiftPattern, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "attendance"
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(department__isnull=False),
                name="shift_assignment_has_target",
            )
        ]

    def __str__(self):
        return f"{self.shift} for {self.person or self.department} from {self.valid_from}"


class PublicHoliday(models.Model):
    site = models.ForeignKey("people.Site", on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "attendance"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="holiday_one_per_site_day")
        ]

    def __str__(self):
        return f"{self.name} ({self.date}, {self.site})"
