"""Vendor accounts and the bookkeeping that keeps the mirror in step with them."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from connectors.registry import connector_class, vendor, vendors
from connectors.vendor import OptionalFeature, VendorEntry
from portal.people.models import Person
from portal.sync.crypto import EncryptedJSONField


def vendor_kind_choices() -> list[tuple[str, str]]:
    """Every registered vendor, as (kind, label): read from the registry, not kept here."""
    return [(entry.kind, entry.label) for entry in vendors().values()]


class VendorAccount(models.Model):
    kind = models.CharField(max_length=12, choices=vendor_kind_choices)
    name = models.CharField(max_length=100, unique=True)
    base_url = models.URLField(max_length=300, validators=[URLValidator(schemes=["http", "https"])])
    #: non-secret connection settings (user name, company id, login kind)
    options = models.JSONField(default=dict, blank=True)
    #: passwords, tokens and keys; encrypted at rest, never rendered back to a page
    credentials = EncryptedJSONField(blank=True, default=dict, editable=False)
    verify_tls = models.BooleanField(
        "Verify TLS certificate",
        default=True,
        help_text="Turn off only for a self-signed test server.",
    )
    ca_certificate = models.TextField(
        "Custom CA (PEM)", blank=True, help_text="For servers with a certificate from a private CA."
    )
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Berlin",
        help_text="The zone the vendor writes its naive times in.",
    )
    enabled = models.BooleanField(default=True)
    pull_enabled = models.BooleanField("Read from this system", default=True)
    push_enabled = models.BooleanField("Write people to this system", default=True)
    receives_punches = models.BooleanField(
        "Receives punches from other clocks",
        default=False,
        help_text="Punches of linked people made at other clocks (and entered by hand) are sent "
        "here, each once, from the moment this is switched on.",
    )
    #: when ``receives_punches`` was last switched on: older punches are not sent
    receives_punches_since = models.DateTimeField(null=True, blank=True, editable=False)
    import_new_people = models.BooleanField(
        "Create people found only here",
        default=False,
        help_text="For the system that holds the staff list at onboarding. Otherwise people that "
        "match nobody wait in the unmatched queue for HR.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # "Test connection": requested from the page, answered by a worker (pages never call vendors)
    check_requested_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_ok = models.BooleanField(null=True)
    check_message = models.CharField(max_length=500, blank=True)
    #: the vendor's request budget as its last answer told it (WorkTime One): limit, remaining, reset
    rate_limit = models.JSONField(null=True, blank=True)
    #: set when the vendor refused the credentials or licence: nothing is sent until a person
    #: edits the account or a connection test passes (repeated bad logins lock vendor users)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=500, blank=True)
    #: optional APIs the server has, as its connector probed them on the last connection test
    #: or people pull (BioTime 8.0: ``{"resignations": false}``); empty until first probed
    server_capabilities = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def __repr__(self):  # never let credentials reach a log line through repr()
        return f"<VendorAccount {self.pk} {self.kind} {self.name!r}>"

    def save(self, *args, **kwargs):
        if not self.receives_punches:
            self.receives_punches_since = None
        elif self.receives_punches_since is None:
            self.receives_punches_since = timezone.now()
        super().save(*args, **kwargs)

    @property
    def vendor(self) -> VendorEntry:
        """What the registry declares about this account's kind: settings, webhook, abilities."""
        return vendor(self.kind)

    @property
    def takes_punches(self) -> bool:
        """Whether this kind of system can be sent punches (its connector writes them)."""
        return "punches" in connector_class(self.kind).capabilities.writes

    @property
    def check_pending(self) -> bool:
        return self.check_requested_at is not None and (
            self.checked_at is None or self.checked_at < self.check_requested_at
        )

    @property
    def secret_names(self) -> list[str]:
        return sorted(self.credentials)

    @property
    def probed_features(self) -> list[tuple[OptionalFeature, bool]]:
        """The vendor's optional API parts this server was probed for, each with whether it
        has it (BioTime 8.0: resignations, False)."""
        known = self.server_capabilities or {}
        return [
            (feature, bool(known[feature.name]))
            for feature in self.vendor.optional_features
            if feature.name in known
        ]


class ExternalLink(models.Model):
    """One local row ↔ one record in one vendor account."""

    # no index of their own: link_unique_vendor_record leads with the account,
    # link_one_record_per_account with the type (each index is one more write a link)
    account = models.ForeignKey(
        VendorAccount, on_delete=models.CASCADE, related_name="links", db_index=False
    )
    vendor_id = models.CharField(max_length=128)
    #: the vendor's natural key when it differs from its id (BioTime emp_code, BioStar user_id):
    #: punches name people by it
    vendor_code = models.CharField(max_length=64, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    object_id = models.PositiveBigIntegerField()
    local_object = GenericForeignKey("content_type", "object_id")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="Hash of the last vendor content seen."
    )
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(
        null=True, blank=True, help_text="The vendor stopped listing it."
    )
    #: the vendor's record as last pulled (people only): fields Workgate does not map are shown
    #: on the person's page
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "content_type", "vendor_id"], name="link_unique_vendor_record"
            ),
            # led by the object, not the account: it also finds an object's links in every
            # account (the person page, the outbox), which took an index of its own
            models.UniqueConstraint(
                fields=["content_type", "object_id", "account"], name="link_one_record_per_account"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "content_type", "vendor_code"]),
        ]

    def __str__(self):
        return f"{self.account} {self.content_type.model} {self.vendor_id} → {self.object_id}"


class SyncCursor(models.Model):
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=32)
    value = models.TextField(
        blank=True, help_text="Opaque to the portal: the connector's resume point."
    )
    updated_at = models.DateTimeField(auto_now=True)
    #: a pull holds the stream until this moment; a second pull of the same stream waits
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    #: failures in a row and when scheduled pulls may call the vendor again (capped backoff)
    failures = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "stream"], name="cursor_one_per_stream")
        ]

    def __str__(self):
        return f"{self.account}/{self.stream} = {self.value}"


class SyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        DEFERRED = "deferred", "Paused for the vendor's rate limit"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted: its worker stopped"

    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="runs")
    stream = models.CharField(max_length=32)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    #: a deferred run goes on from its cursor once the vendor's budget refills
    resume_after = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField(default=0)
    #: the first reasons records were skipped, for the health page
    skipped_reasons = models.JSONField(default=list, blank=True)
    #: records stored with text changed to fit: a NUL byte dropped, or cut to the column's size
    #: (the raw record keeps the whole text); the first few name the vendor id and field
    trimmed = models.PositiveIntegerField(default=0)
    trimmed_notes = models.JSONField(default=list, blank=True)
    #: what the vendor's answers did not add up to (a count promising more rows than its pages
    #: delivered); a full read with a warning marks nothing gone
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # the health page's latest run per stream, and the latest success: index lookups,
            # not a scan of a year of runs
            models.Index(fields=["account", "stream", "-started_at"]),
            models.Index(fields=["account", "stream", "status", "-started_at"]),
            # retention summarises and prunes by day
            models.Index(fields=["started_at"], name="sync_run_started_at"),
        ]

    def __str__(self):
        return f"{self.account}/{self.stream} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class SyncRunDay(models.Model):
    """One day of one stream's runs, summed: kept long after the runs are pruned, so the health
    page still shows a year's figures. Written once the day is over (portal.sync.run_days)."""

    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="run_days")
    stream = models.CharField(max_length=32)
    day = models.DateField()
    runs = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    fetched = models.PositiveBigIntegerField(default=0)
    #: records written (created + updated)
    written = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-day", "account", "stream"]
        constraints = [
            models.UniqueConstraint(fields=["account", "stream", "day"], name="run_day_once")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.account}/{self.stream} {self.day}: {self.runs} runs, {self.failed} failed"


class OutboxMessage(models.Model):
    """A change waiting to reach a vendor; written in the same transaction as the change."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        SUPERSEDED = "superseded", "Replaced by a newer change"
        FAILED = "failed", "Failed: needs a person"

    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="outbox")
    record_kind = models.CharField(max_length=32, help_text="person, department, …")
    action = models.CharField(max_length=16, help_text="create, update, terminate, rehire, delete")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: what the vendor answered last (ids, status), as proof of delivery
    vendor_answer = models.JSONField(null=True, blank=True)
    scheduled_for = models.DateTimeField(db_index=True, help_text="Next attempt not before this.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "scheduled_for"]),
            # one object's messages (its newest per account, its failures; retention keeps each
            # record's newest): the person page and
            # the directory's "could not be sent" badge read these, never the whole outbox.
            # No status column: the newest-per-account subquery then walks the index in id order
            # (SQLite keeps the rowid last in every index) instead of sorting.
            models.Index(
                fields=["content_type", "object_id", "account"],
                name="outbox_by_object",
            ),
        ]

    def __str__(self):
        return (
            f"{self.action} {self.record_kind} #{self.object_id} → {self.account} ({self.status})"
        )

    def local_person(self):
        return Person.objects.get(pk=self.object_id)

    @property
    def summary(self) -> str:
        """What the message carries, in words for the health page."""
        p = self.payload or {}
        if self.record_kind == "punch":
            return f"Punch {p.get('direction', '')} of {p.get('person_name', '')} at {p.get('occurred_at', '')}"
        if self.record_kind in ("department", "position", "site"):
            return f"{self.action.capitalize()} {self.record_kind} {p.get('name', '')} ({p.get('code', '')})"
        name = f"{p.get('first_name', '')} {p.get('last_name', '')}".strip()
        return f"{self.action.capitalize()} {name} ({p.get('code', '')})"


class UnmatchedPerson(models.Model):
    """A vendor person no local person matches (or several do): HR links or creates one."""

    class Reason(models.TextChoices):
        NO_MATCH = "no_match", "Matches nobody"
        AMBIGUOUS = "ambiguous", "Matches several people"
        NO_CODE = "no_code", "Has no employee code there, and no e-mail match"

    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="unmatched")
    vendor_id = models.CharField(max_length=128)
    code = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    candidates = models.ManyToManyField("people.Person", blank=True, related_name="+")
    raw = models.JSONField(default=dict, blank=True)
    #: the vendor's own administrator or operator account: never linked, created or changed
    system_account = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account__name", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "vendor_id"], name="unmatched_one_per_vendor_record"
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.code}) in {self.account}"


class PersonDrift(models.Model):
    """A field the portal owns that a vendor changed on its side: shown, never silently overwritten."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="drifts")
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=32)
    portal_value = models.CharField(max_length=254, blank=True)
    vendor_value = models.CharField(max_length=254, blank=True)
    detected_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "account", "field"], name="drift_one_per_field"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.field}: {self.portal_value!r} here, {self.vendor_value!r} in {self.account}"


class WebhookDelivery(models.Model):
    """A webhook call received from a vendor, kept to drop duplicates and to show what arrived."""

    account = models.ForeignKey(
        VendorAccount, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    delivery_id = models.CharField(max_length=100)
    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "delivery_id"], name="webhook_delivery_once")
        ]

    def __str__(self):
        return f"{self.event} {self.delivery_id} from {self.account}"


class PendingCreate(models.Model):
    """A person create owed to a vendor account until the person is linked there.

    Written with the create message, so the obligation outlives that message: a newer change
    that supersedes it still creates. Before each create is sent the natural keys it goes out
    with are added, so a retry after HR changed the code or the e-mail still finds the record a
    create whose answer was lost made, instead of making a second one. Deleted once linked.
    """

    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    #: ``[{"code": …, "email": …}, …]``: every key a create was sent with, oldest first
    keys = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "person"], name="pending_create_once")
        ]

    def __str__(self):
        return f"create of person {self.person_id} owed to {self.account} ({len(self.keys)} sent)"


class OffboardingStep(models.Model):
    """What one offboarding did in one connected system, and the read-back that proves it."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sent, waiting for the vendor"
        CONFIRMED = "confirmed", "Confirmed: access is gone"
        FAILED = "failed", "Failed: needs a person"

    offboarding = models.ForeignKey(
        "people.Offboarding", on_delete=models.CASCADE, related_name="steps"
    )
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    #: what the vendor does on a termination, as the registry said when the step was written
    action = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    #: the outbox message that carries it (a newer change may answer it instead)
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: the fields of the vendor's record, read back after the push, that show access is gone
    proof = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["account__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["offboarding", "account"], name="offboarding_step_one_per_account"
            )
        ]

    def __str__(self):
        return f"{self.offboarding} in {self.account}: {self.status}"


class AccessProblem(models.Model):
    """A person terminated in Workgate whom a vendor lists as active again (re-enabled in its
    console, say). Open until access is gone there again or the person is rehired."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="access_problems"
    )
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    vendor_id = models.CharField(max_length=128)
    #: the vendor's record as read: the fields that show it is active
    seen = models.JSONField(default=dict, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "account"],
                condition=models.Q(resolved_at__isnull=True),
                name="access_problem_one_open_per_account",
            )
        ]

    def __str__(self):
        return f"{self.person} still active in {self.account}"


class AccessGroup(models.Model):
    """A vendor's access group (BioStar), mirrored by the ``access_groups`` pull."""

    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    vendor_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    #: the vendor stopped listing it: kept so rules and people that name it still show it
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["account__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "vendor_id"], name="access_group_once")
        ]

    def __str__(self):
        return f"{self.name} ({self.account})"


class ProvisioningRule(models.Model):
    """Who belongs in which systems: people matching every filter set here (an empty filter
    matches anyone) are created in ``accounts`` and granted ``access_groups`` there."""

    name = models.CharField(max_length=100, unique=True)
    site = models.ForeignKey(
        "people.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        "people.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accounts = models.ManyToManyField(VendorAccount, related_name="+", verbose_name="Systems")
    access_groups = models.ManyToManyField(AccessGroup, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def who(self) -> str:
        """ "Everyone at Bremen Warehouse in Logistics", in words."""
        parts = []
        if self.site_id:
            parts.append(f"at {self.site}")
        if self.department_id:
            parts.append(f"in {self.department}")
        if self.position_id:
            parts.append(f"as {self.position}")
        return " ".join(["Everyone", *parts])


class ProvisioningOverride(models.Model):
    """HR's choice for one person and one system, above the rules."""

    class Mode(models.TextChoices):
        ALWAYS = "always", "Always"
        NEVER = "never", "Never"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=6, choices=Mode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "account"], name="override_once")]

    def __str__(self):
        return f"{self.person_id} {self.mode} in {self.account}"


class PersonAccessGroups(models.Model):
    """The access groups HR chose for one person in one system, on top of the rules' groups.

    Its existence (even with no groups) means Workgate manages the person's groups there."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(VendorAccount, on_delete=models.CASCADE, related_name="+")
    groups = models.ManyToManyField(AccessGroup, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "account"], name="person_access_groups_once")
        ]

    def __str__(self):
        return f"access groups of {self.person_id} in {self.account}"
