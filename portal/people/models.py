"""People as HR knows them: the portal owns these fields and pushes them to vendors."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Site(models.Model):
    """A place people work at. Vendors call it an area."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(max_length=20, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/Berlin")
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="department_unique_name_per_parent"
            )
        ]

    def __str__(self):
        return self.name

    def ancestors(self) -> list["Department"]:
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class Position(models.Model):
    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        TERMINATED = "terminated", "Terminated"

    employee_code = models.CharField(
        max_length=32,
        unique=True,
        help_text="Kept as text: leading zeros matter (\u201c00042\u201d).",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    #: indexed as it is compared, in lower case (``person_by_email``)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        db_index=False,  # person_by_department leads with it
    )
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="people")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="The portal login of this person, if any (managers see their reports).",
    )
    hire_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    termination_date = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        permissions = [("terminate_person", "Can terminate and rehire people")]
        # the directory's sort orders, each ending on the id as the directory's do, so a page
        # is read in index order (no sort of 50,000 rows) and pages never overlap
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="person_by_name"),
            models.Index(
                fields=["status", "last_name", "first_name", "id"], name="person_by_status"
            ),
            models.Index(
                fields=["department", "last_name", "first_name", "id"],
                name="person_by_department",
            ),
            # a vendor record or an unmatched entry is matched by e-mail whatever its case
            # (sync.mirror.people, sync.suggestions); the column as it is served neither
            models.Index(Lower("email"), name="person_by_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="active") | models.Q(termination_date__isnull=False),
                name="person_terminated_has_date",
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.employee_code})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def termination_date_problem(self, last_day) -> str | None:
        """Why ``last_day`` cannot be this person's last working day, or None."""
        if self.hire_date and last_day < self.hire_date:
            return (
                f"The last working day cannot be before the hire date "
                f"({self.hire_date:%d %b %Y}). Check both dates."
            )
        return None


class PersonSearchTerm(models.Model):
    """One word a person is found by in the directory's search (see ``people.search``)."""

    TERM_LENGTH = 254

    # Keyed by the person and the term: a person's terms are found (and deleted) by the key's
    # first column, and a person has each term once. With an id and an index of their own, the
    # terms of 10,000 pulled people (~5 each) took 487-539 ms to write on PostgreSQL, 296-324
    # without.
    pk = models.CompositePrimaryKey("person", "term")
    # Not checked by the database: the terms are an index the portal derives from people it
    # has just saved (Django still deletes them with their person). PostgreSQL checks a key with
    # a trigger per row at commit: ~5 terms a person made it most of a people pull's commit.
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="search_terms",
        db_constraint=False,
        db_index=False,  # the primary key leads with it
    )
    term = models.CharField(max_length=TERM_LENGTH)

    class Meta:
        indexes = [
            # a prefix is a range of this index; its entries carry the person (no row read). On
            # PostgreSQL the pattern operator class lets LIKE 'word%' use it in any locale.
            models.Index(
                fields=["term", "person"],
                name="person_search_term_prefix",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            )
        ]

    def __str__(self):
        return f"{self.term} → {self.person_id}"


class TeamView(models.Model):
    """How a manager wants to see their team: direct reports only, or everyone below them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_view"
    )
    whole_tree = models.BooleanField(
        "Whole team tree",
        default=False,
        help_text="Also show the reports of my reports, all the way down.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}: {'whole tree' if self.whole_tree else 'direct reports'}"


class Offboarding(models.Model):
    """A termination HR asked for: scheduled for the end of the last working day in the person's
    site's zone, or carried out at once (involuntary). The sync app records, per connected
    system, what was sent and the read-back that proves access is gone."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="offboardings")
    last_day = models.DateField("Last working day")
    reason = models.CharField(max_length=200)
    immediate = models.BooleanField(
        default=False, help_text="Carried out when confirmed, not at the end of the last day."
    )
    scheduled_for = models.DateTimeField(db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    #: every system's read-back confirmed that access is gone
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["started_at", "cancelled_at", "scheduled_for"])]

    def __str__(self):
        return f"Offboarding of {self.person} (last day {self.last_day:%Y-%m-%d})"

    @property
    def state(self) -> str:
        if self.cancelled_at:
            return "cancelled"
        if self.finished_at:
            return "finished"
        if self.started_at:
            return "running"
        return "scheduled"
