"""Where a person stands in each connected system: linked record, pending or failed pushes, drift."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery

from connectors.vendor import OptionalFeature
from portal.people.models import Person
from portal.sync.models import (
    AccessProblem,
    ExternalLink,
    OutboxMessage,
    PersonDrift,
    VendorAccount,
)
from portal.sync.provisioning import (
    Decision,
    eligible_accounts,
    people_writable,
    with_access_groups,
    with_person_choices,
)


@dataclass
class SystemPresence:
    account: VendorAccount
    writable: bool
    link: ExternalLink | None = None
    latest: OutboxMessage | None = None
    drifts: list[PersonDrift] = field(default_factory=list)
    #: terminated here, but the vendor lists the person as active
    problem: AccessProblem | None = None
    #: whether the provisioning rules (or HR's override) put the person in this system
    decision: Decision | None = None

    @property
    def provisioning(self) -> str:
        """ "Should be in / is in" in one word, for the page: in, creating, missing, leaving,
        out (disabled there), still_in (disabled at the next push), or absent."""
        d = self.decision
        if d is None:
            return ""
        pending = self.latest is not None and self.latest.status == OutboxMessage.Status.PENDING
        if d.should:
            if self.link is not None:
                return "in"
            if pending:
                return "creating"
            # before the first rule, only new hires are created: nothing is missing
            return "missing" if d.moves else ""
        if self.link is None:
            return "absent"
        if pending:
            return "leaving"
        sent = self.latest is not None and self.latest.status == OutboxMessage.Status.SENT
        if sent and self.latest.payload.get("provisioned") is False:
            return "out"
        return "still_in"

    @property
    def access_groups(self) -> list[str]:
        """The access groups the vendor's record held when last read (names), or []."""
        raw = self.link.raw if self.link is not None else {}
        return [
            g.get("name") or g.get("id", "")
            for g in raw.get("access_groups") or []
            if isinstance(g, dict)
        ]

    @property
    def state(self) -> str:
        if self.problem is not None and not (
            self.latest is not None and self.latest.status == OutboxMessage.Status.PENDING
        ):
            return "still_active"
        if self.latest is not None and self.latest.status == OutboxMessage.Status.FAILED:
            return "failed"
        if self.latest is not None and self.latest.status == OutboxMessage.Status.PENDING:
            return "pending"
        if self.drifts:
            return "drift"
        return "linked" if self.link else "absent"


@dataclass
class RevocationPlan:
    """What a termination does in each connected system, for the sentence above the button."""

    #: accounts Workgate revokes access in, each with how its vendor does it
    revoked: list[tuple[str, str]]
    #: accounts Workgate does not change people in: they stay as they are
    untouched: list[str]
    #: accounts whose server lacks what a termination needs, each with what to do instead
    by_hand: list[tuple[str, OptionalFeature]] = field(default_factory=list)
    #: accounts that hold no record of the person (and none is on its way): nothing to revoke
    absent: list[str] = field(default_factory=list)


def revocation_plan(systems: list[SystemPresence]) -> RevocationPlan:
    revoked, by_hand, absent = [], [], []
    for s in systems:
        if not s.writable:
            continue
        on_its_way = s.latest is not None and s.latest.status == OutboxMessage.Status.PENDING
        if s.link is None and not on_its_way:  # a termination touches linked systems only
            absent.append(s.account.name)
            continue
        lacking = [
            feature
            for feature, available in s.account.probed_features
            if feature.needed_to_terminate and not available
        ]
        if lacking:
            by_hand.append((s.account.name, lacking[0]))
        else:
            revoked.append((s.account.name, s.account.vendor.revokes_access_by))
    return RevocationPlan(
        revoked=revoked,
        untouched=[s.account.name for s in systems if not s.writable],
        by_hand=by_hand,
        absent=absent,
    )


@dataclass
class RevocationLine:
    """One system in the termination's confirmation step: what exactly will happen there."""

    system: str
    vendor: str
    will: str
    acts: bool  # Workgate sends something there


def revocation_lines(systems: list[SystemPresence]) -> list[RevocationLine]:
    lines = []
    for s in systems:
        entry = s.account.vendor
        if not s.writable:
            will = "Nothing: Workgate does not change people in this system."
            lines.append(RevocationLine(s.account.name, entry.short_label, will, False))
            continue
        on_its_way = s.latest is not None and s.latest.status == OutboxMessage.Status.PENDING
        if s.link is None and not on_its_way:
            will = "Nothing: it holds no record of this person."
            lines.append(RevocationLine(s.account.name, entry.short_label, will, False))
            continue
        lacking = [
            feature
            for feature, available in s.account.probed_features
            if feature.needed_to_terminate and not available
        ]
        if lacking:
            will = f"Cannot be done from Workgate: {lacking[0].instead}."
            lines.append(RevocationLine(s.account.name, entry.short_label, will, False))
            continue
        record = f" record {s.link.vendor_id}" if s.link else ""
        detail = entry.revocation_detail or entry.revokes_access_by
        will = f"Workgate {detail}{' (' + record.strip() + ')' if record else ''}"
        will += ", then reads the record back to confirm access is gone."
        if entry.keeps_termination_reason:
            will += " The reason is kept there."
        lines.append(RevocationLine(s.account.name, entry.short_label, will, True))
    return lines


def presence_of(person: Person) -> list[SystemPresence]:
    """Each enabled account with the person's link there, the newest message to it and any open
    access problem and the person's provisioning choices there: one query (joins and subqueries
    on the few accounts), plus one for drift and one for the provisioning rules.
    However many pushes the person's history holds, only the newest per account is read."""
    of_person = {
        # the id itself (cached by Django), not a join: so the planner picks outbox_by_object
        "content_type": ContentType.objects.get_for_model(Person),
        "object_id": person.pk,
        "account": OuterRef("pk"),
    }
    link = ExternalLink.objects.filter(**of_person).values("pk")[:1]
    latest = (
        OutboxMessage.objects.filter(**of_person)
        .exclude(status=OutboxMessage.Status.SUPERSEDED)
        .order_by("-id")
        .values("pk")[:1]
    )
    problems = AccessProblem.objects.filter(
        person=person, account=OuterRef("pk"), resolved_at__isnull=True
    )
    accounts = (
        with_access_groups(with_person_choices(VendorAccount.objects.filter(enabled=True), person))
        .annotate(
            person_link_id=Subquery(link),
            person_latest_id=Subquery(latest),
            person_link=FilteredRelation("links", condition=Q(links__pk=F("person_link_id"))),
            person_latest=FilteredRelation("outbox", condition=Q(outbox__pk=F("person_latest_id"))),
            **{
                f"problem_{column}": Subquery(problems.values(column)[:1])
                for column in ("pk", "vendor_id", "last_seen_at")
            },
        )
        .select_related("person_link", "person_latest")
    )
    drifts: dict[int, list[PersonDrift]] = {}
    for drift in PersonDrift.objects.filter(person=person).select_related("account"):
        drifts.setdefault(drift.account_id, []).append(drift)
    accounts = list(accounts)
    decisions = eligible_accounts(person, people_writable(accounts))
    rows = []
    for account in accounts:
        writable = account.pk in decisions
        link = getattr(account, "person_link", None)
        latest = getattr(account, "person_latest", None)
        if link is not None or writable or latest is not None:
            rows.append(
                SystemPresence(
                    account,
                    writable,
                    link,
                    latest,
                    drifts.get(account.pk, []),
                    open_problem(account, person),
                    decisions.get(account.pk),
                )
            )
        else:
            rows.append(SystemPresence(account, writable))
    return rows


def open_problem(account: VendorAccount, person: Person) -> AccessProblem | None:
    """The open access problem the accounts query read as columns, as a (partial) row."""
    if account.problem_pk is None:
        return None
    return AccessProblem(
        pk=account.problem_pk,
        person=person,
        account=account,
        vendor_id=account.problem_vendor_id,
        last_seen_at=account.problem_last_seen_at,
    )


@dataclass
class VendorFields:
    """A linked vendor record's fields Workgate does not map (passport, global id, …)."""

    account: VendorAccount
    fields: list[tuple[str, str]]


def vendor_fields_of(systems: list[SystemPresence]) -> list[VendorFields]:
    """Per linked system, the extra fields of the vendor's record as last pulled (the links
    ``presence_of`` loaded: no query of its own)."""
    found = []
    for system in systems:
        if system.link is None:
            continue
        extra = system.account.vendor.person_extra_fields(system.link.raw or {})
        shown = [(field_label(key), shown_value(value)) for key, value in extra.items()]
        shown = [(label, value) for label, value in shown if value]
        if shown:
            found.append(VendorFields(system.account, shown))
    return found


def field_label(key: str) -> str:
    """``card_no`` → "Card no"; a custom field an admin named ("Passport No") stays as it is."""
    return key if " " in key else key.replace("_", " ").capitalize()


def shown_value(value) -> str:
    """A vendor value as one line of text; empty values give "" (and are left out)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        value = value.get("name") or value.get("id") or ""
    if isinstance(value, list):
        return ", ".join(shown_value(item) for item in value if shown_value(item))
    return str(value).strip()
