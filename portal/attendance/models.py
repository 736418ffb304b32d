"""Punches from every clock, the timecards built from them, and managers' decisions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.core.packed_json import PackedJSONField


class UTCDate(models.Func):
    """The UTC calendar date of a stored instant, in an expression both databases call immutable
    (a generated column and an index may use it): SQLite keeps instants as UTC text."""

    output_field = models.DateField()
    template = "date(%(expressions)s)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((%(expressions)s AT TIME ZONE 'UTC')::date)", **extra
        )


# NO_DATABASE_CONSTRAINT: a punch's foreign keys are not checked by the database. PostgreSQL checks
# a foreign key with a trigger per inserted row, queued until commit, even when the key is NULL:
# for the pull's pages the account, person and device triggers were half the server's time to
# store a punch, the other five (NULL on vendor punches) another ~15%. Django still applies
# on_delete itself (deleting an account deletes its punches; a person or device, nulls them; a
# user who made or voided punches is protected), the pull only writes ids it has just read from
# those tables, and the rest are set by the attendance services from rows they hold.
class Punch(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "In"
        OUT = "out", "Out"
        BREAK_OUT = "break_out", "Break start"
        BREAK_IN = "break_in", "Break end"
        UNKNOWN = "unknown", "Unknown"

    class Source(models.TextChoices):
        VENDOR = "vendor", "Vendor clock"
        MANUAL = "manual", "Entered by hand"

    #: empty for punches entered by hand
    account = models.ForeignKey(
        "sync.VendorAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="punches",
        db_index=False,  # the unique (account, vendor_id) serves it
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.VENDOR)
    vendor_id = models.CharField(
        max_length=128, help_text="The vendor's natural key of this punch."
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="punches",
        db_index=False,  # (day, person, punched_at) serves it, a day list first (see `day`)
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    #: who the vendor says punched, kept so an unmatched punch attaches once the person is linked
    vendor_person_id = models.CharField(max_length=64, blank=True)
    punched_at = models.DateTimeField(help_text="UTC.")
    #: punched_at's UTC date, set by the database however the punch was written. It leads the
    #: index a person's punches are read by, (day, person, punched_at): a store's batch (most of
    #: the company, the last few days) writes a few leaf pages at the index's end, where one keyed
    #: by person first had most people's pages rewritten by every batch, more as the table grew.
    #: A reader of one person's punches names the days: ``portal.attendance.days``.
    day = models.GeneratedField(
        expression=UTCDate("punched_at"), output_field=models.DateField(), db_persist=True
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.UNKNOWN
    )
    #: not indexed: no page asks for a device's punches, and removing a device is rare enough to
    #: scan for (every vendor punch has a device: its index would be written with every punch)
    device = models.ForeignKey(
        "devices.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="punches",
        db_index=False,
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    door = models.ForeignKey(
        "doors.Door",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # partial index below: set on few punches
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    #: the vendor's record as it came, packed: a fifth of its size as jsonb (see packed_json)
    raw = PackedJSONField(default=dict, blank=True)
    #: the wall-clock time and zone the punch was made in ("2026-03-29 08:00:00")
    local_time = models.CharField(max_length=19, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    #: a repeat (double tap, or the same punch read from another system): kept, not counted
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        db_index=False,
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    reason = models.CharField(max_length=300, blank=True)
    #: a corrected time is a new manual punch pointing at the original, which is voided
    moved_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moved_to",
        db_index=False,
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see NO_DATABASE_CONSTRAINT
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-punched_at"]
        verbose_name_plural = "punches"
        constraints = [
            models.UniqueConstraint(fields=["account", "vendor_id"], name="punch_unique_vendor_id")
        ]
        # Every index is written with every stored punch: only what a query uses. The foreign keys
        # set on few punches (hand-made, moved, voided, repeats) get partial indexes, so deleting
        # what they point at does not scan the table, at no cost to a vendor punch.
        indexes = [
            models.Index(fields=["day", "person", "punched_at"], name="punch_day_person"),
            # attaching an unmatched person's punches once they are linked (sync.identity)
            models.Index(
                fields=["account", "vendor_person_id"],
                name="punch_unmatched",
                condition=models.Q(person__isnull=True),
            ),
            *(
                models.Index(
                    fields=[column],
                    name=f"punch_{column}_set",
                    condition=models.Q(**{f"{column}__isnull": False}),
                )
                for column in ("door", "duplicate_of", "created_by", "moved_from", "voided_by")
            ),
            # the API's punch list walks (punched_at, id) newest first: whole, or one account's
            models.Index(fields=["-punched_at", "-id"], name="punch_feed"),
            models.Index(fields=["account", "-punched_at", "-id"], name="punch_account_feed"),
        ]

    def __str__(self):
        who = self.person or self.vendor_person_id or "unknown"
        return f"{who} {self.direction} {self.punched_at:%Y-%m-%d %H:%M}"


class DirtyDay(models.Model):
    """A person-day (the server's local date) that new punches landed on since its card was built.

    The pull only marks these; a task (:mod:`portal.attendance.dirty`) recomputes them with their
    neighbours (a night shift, a site east of here) and deletes what it did.
    """

    # Not checked by the database: on PostgreSQL the check locked the person's row for every mark
    # (a trigger, a WAL record and a dirtied page of people; ~2-3 us of server time a punch
    # stored). Django still deletes a person's marks with them; a mark left by a pull that raced
    # a deletion is dropped by the task (dirty.recompute_batch).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="dirty_day_once_per_person_day")
        ]

    def __str__(self):
        return f"{self.person_id} {self.day}"


class TimeCard(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPORTED = "exported", "Exported to payroll"

    #: no index of its own: the unique (person, work_date) starts with it, and every card written
    #: (a full build writes hundreds of thousands) would write both
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="timecards", db_index=False
    )
    work_date = models.DateField()
    first_in = models.DateTimeField(null=True, blank=True)
    last_out = models.DateTimeField(null=True, blank=True)
    worked_minutes = models.PositiveIntegerField(default=0)
    break_minutes = models.PositiveIntegerField(default=0)
    overtime_minutes = models.PositiveIntegerField(default=0)
    weekly_overtime_minutes = models.PositiveIntegerField(default=0)
    late_minutes = models.PositiveIntegerField(default=0)
    early_minutes = models.PositiveIntegerField(default=0)
    #: e.g. ["missing_out", "late", "corrected"]
    flags = models.JSONField(default=list, blank=True)
    #: [[in ISO or null, out ISO or null], ...] as counted
    pairs = models.JSONField(default=list, blank=True)
    #: a punch came in after the period was approved; the approved figures stand until reopened
    arrived_after_approval = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-work_date", "person__last_name"]
        permissions = [
            ("approve_timecard", "Can approve and reject timecards"),
            ("view_all_timecards", "Can see every team's timecards"),
            ("reopen_timeperiod", "Can reopen an approved period"),
            ("export_timecards", "Can export approved timecards"),
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
        REOPENED = "reopened", "Reopened"

    timecard = models.ForeignKey(
        TimeCard, null=True, blank=True, on_delete=models.CASCADE, related_name="approvals"
    )
    period = models.ForeignKey(
        "attendance.TimePeriod",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
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


class TimePeriod(models.Model):
    """One person's pay period (a week or a month) and the manager's decision on it.

    Approved = locked: no punch of these days may be added, moved or voided until reopened.
    Rejected goes back to the person's manager to correct, as open as an open period.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="periods")
    start = models.DateField()
    end = models.DateField(help_text="Inclusive.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-start", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "start", "end"], name="period_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_order"
            ),
        ]
        indexes = [models.Index(fields=["person", "status", "start", "end"])]

    def __str__(self):
        return f"{self.person} {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def span(self) -> tuple:
        """(start, end) for a ``__range`` lookup."""
        return (self.start, self.end)


from portal.attendance.schedules import PublicHoliday, ShiftAssignment, ShiftPattern  # noqa: E402,F401
