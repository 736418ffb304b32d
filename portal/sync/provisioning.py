"""Which systems a person belongs in, and with which access groups: decided here and only here.

A person's override for a system ("always" / "never") wins; else the person belongs wherever a
provisioning rule matches them (site, department and position, each empty = any). Until the first
rule exists every system that takes people writes gets every new person (how Workgate worked
before rules), and changes move nobody in or out.

Each function loads what it needs in a fixed number of queries, whatever the number of systems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from connectors.registry import connector_class
from portal.core.aggregates import JoinedText, split_joined
from portal.people.models import Person
from portal.sync.models import (
    AccessGroup,
    PersonAccessGroups,
    ProvisioningOverride,
    ProvisioningRule,
    VendorAccount,
)

#: where a decision came from
OVERRIDE, RULE, NO_RULE, NO_RULES_YET = "override", "rule", "no_rule", "no_rules_yet"


@dataclass(frozen=True)
class Decision:
    """Whether a person should be in one system, and why."""

    account: VendorAccount
    should: bool
    source: str
    rules: tuple[Rule, ...] = ()
    override: str = ""  # "always" / "never" / "" (follows the rules)
    #: vendor ids of the access groups the person should hold there; None: not managed
    access_groups: tuple[str, ...] | None = None
    #: the access groups (models) behind ``access_groups``, for the page
    group_names: tuple[str, ...] = field(default=(), compare=False)
    #: what the rules alone say (the override aside)
    should_by_rules: bool = True
    #: vendor ids of the groups HR chose for the person there (None: never chosen)
    chosen: tuple[str, ...] | None = None

    @property
    def why(self) -> str:
        if self.source == OVERRIDE:
            return f"{'Always' if self.should else 'Never'} in this system (set on the person)"
        if self.source == RULE:
            return "Rule " + ", ".join(f"\u201c{rule.name}\u201d" for rule in self.rules)
        if self.source == NO_RULES_YET:
            return "No provisioning rules yet: every new person goes to every system"
        return "No rule matches"

    @property
    def moves(self) -> bool:
        """Whether this decision creates or disables on a change (the default before any
        rule exists only creates new hires)."""
        return self.source != NO_RULES_YET


def has_access_groups(account: VendorAccount) -> bool:
    """Whether this kind of system grants access groups to people (BioStar)."""
    return hasattr(connector_class(account.kind), "set_access_groups")


def people_writable(accounts) -> list[VendorAccount]:
    return [
        a
        for a in accounts
        if a.enabled and a.push_enabled and "people" in connector_class(a.kind).capabilities.writes
    ]


def people_writable_accounts() -> list[VendorAccount]:
    return people_writable(VendorAccount.objects.filter(enabled=True, push_enabled=True))


@dataclass(frozen=True)
class Rule:
    """A provisioning rule as decisions read it (no model instance: two queries load them all)."""

    pk: int
    name: str
    site_id: int | None
    department_id: int | None
    position_id: int | None
    account_ids: frozenset[int]
    #: per account id, its access groups this rule grants: (vendor id, name)
    groups: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict, compare=False)


#: between the parts of one joined access group (a control character no name contains)
PART = "\x1e"


def joined(column_query, *parts):
    """A subquery column: ``parts`` of each row of ``column_query`` (already narrowed to the
    outer row), joined into one text that :func:`split_joined` and ``PART`` take apart."""
    text = parts[0] if len(parts) == 1 else Concat(*_between(parts), output_field=CharField())
    return Subquery(
        column_query.annotate(joined=JoinedText(text)).values("joined").order_by()[:1],
        output_field=CharField(),
    )


def _between(parts):
    for i, part in enumerate(parts):
        if i:
            yield Value(PART)
        yield part


def load_rules() -> list[Rule]:
    """Every rule with a system, in one query (a rule without one decides nothing)."""
    accounts = ProvisioningRule.accounts.through.objects.filter(
        provisioningrule=OuterRef("pk")
    ).values("provisioningrule")
    granted = ProvisioningRule.access_groups.through.objects.filter(
        provisioningrule=OuterRef("pk")
    ).values("provisioningrule")
    rows = (
        ProvisioningRule.objects.annotate(
            account_ids=joined(accounts, Cast("vendoraccount_id", CharField())),
            granted=joined(
                granted,
                Cast("accessgroup__account_id", CharField()),
                "accessgroup__vendor_id",
                "accessgroup__name",
            ),
        )
        .filter(account_ids__isnull=False)
        .order_by("name", "pk")
    )
    rules = []
    for rule in rows:
        groups: dict[int, list[tuple[str, str]]] = {}
        for entry in split_joined(rule.granted):
            account_id, vendor_id, name = entry.split(PART, 2)
            groups.setdefault(int(account_id), []).append((vendor_id, name))
        rules.append(
            Rule(
                pk=rule.pk,
                name=rule.name,
                site_id=rule.site_id,
                department_id=rule.department_id,
                position_id=rule.position_id,
                account_ids=frozenset(int(i) for i in split_joined(rule.account_ids)),
                groups={k: tuple(v) for k, v in groups.items()},
            )
        )
    return rules


def rule_matches(rule: Rule, site_ids: set[int], department_id, position_id) -> bool:
    return (
        (rule.site_id is None or rule.site_id in site_ids)
        and (rule.department_id is None or rule.department_id == department_id)
        and (rule.position_id is None or rule.position_id == position_id)
    )


def decide(
    person: Person,
    accounts: list[VendorAccount],
    rules: list[Rule],
    overrides: dict[int, str],
    site_ids: set[int],
    chosen: dict[int, list] | None = None,
) -> dict[int, Decision]:
    """Per account id, whether ``person`` should be in it (no queries: everything is given).

    ``chosen``: per account id, the access groups HR chose for the person there (present, even
    empty, when HR manages them)."""
    chosen = chosen or {}
    matching = [
        r for r in rules if rule_matches(r, site_ids, person.department_id, person.position_id)
    ]
    decisions = {}
    for account in accounts:
        by_rules = tuple(r for r in matching if account.pk in r.account_ids)
        mode = overrides.get(account.pk, "")
        if mode:
            should, source = mode == ProvisioningOverride.Mode.ALWAYS, OVERRIDE
        elif not rules:
            should, source = True, NO_RULES_YET
        else:
            should, source = bool(by_rules), RULE if by_rules else NO_RULE
        groups = dict(pair for r in by_rules for pair in r.groups.get(account.pk, ()))
        if account.pk in chosen:
            groups |= {g.vendor_id: g.name for g in chosen[account.pk]}
        managed = bool(groups) or account.pk in chosen
        decisions[account.pk] = Decision(
            account=account,
            should=should,
            source=source,
            rules=by_rules,
            override=mode,
            access_groups=tuple(sorted(groups)) if managed else None,
            group_names=tuple(sorted(groups.values())),
            should_by_rules=bool(by_rules) or not rules,
            chosen=tuple(sorted(g.vendor_id for g in chosen[account.pk]))
            if account.pk in chosen
            else None,
        )
    return decisions


def chosen_groups(person_ids, account_ids=None) -> dict[tuple[int, int], list]:
    """(person id, account id) → the access groups HR chose there: one query."""
    rows = PersonAccessGroups.objects.filter(person_id__in=person_ids).prefetch_related("groups")
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    return {(row.person_id, row.account_id): list(row.groups.all()) for row in rows}


def eligible_accounts(
    person: Person, accounts: list[VendorAccount] | None = None
) -> dict[int, Decision]:
    """Per people-writable account id (or per given account), the decision for ``person``.

    Accounts read with :func:`with_person_choices` carry the person's override and chosen
    groups, and a person read with ``joined_site_ids`` (the person page) their sites: nothing is
    asked again."""
    accounts = people_writable_accounts() if accounts is None else accounts
    if not accounts:
        return {}
    if all(hasattr(a, "person_override") for a in accounts):
        overrides = {a.pk: a.person_override for a in accounts if a.person_override}
        chosen = {a.pk: _groups_of(a.person_chosen) for a in accounts if a.person_manages}
    else:
        overrides = dict(
            ProvisioningOverride.objects.filter(person=person).values_list("account_id", "mode")
        )
        chosen = {account: groups for (_, account), groups in chosen_groups([person.pk]).items()}
    if hasattr(person, "joined_site_ids"):
        site_ids = {int(i) for i in split_joined(person.joined_site_ids)}
    else:
        site_ids = {site.pk for site in person.sites.all()} if person.pk else set()
    return decide(person, accounts, load_rules(), overrides, site_ids, chosen)


def with_person_choices(accounts, person: Person):
    """``accounts`` annotated with ``person``'s override there and the access groups HR chose
    there (``person_manages``: HR manages them, even with none chosen): no query of their own."""
    chosen = PersonAccessGroups.groups.through.objects.filter(
        personaccessgroups__person=person, personaccessgroups__account=OuterRef("pk")
    ).values("personaccessgroups")
    return accounts.annotate(
        person_override=Subquery(
            ProvisioningOverride.objects.filter(person=person, account=OuterRef("pk")).values(
                "mode"
            )[:1]
        ),
        person_manages=Exists(
            PersonAccessGroups.objects.filter(person=person, account=OuterRef("pk"))
        ),
        person_chosen=joined(chosen, "accessgroup__vendor_id", "accessgroup__name"),
    )


def with_access_groups(accounts):
    """``accounts`` annotated with the access groups each holds now (``held_groups``)."""
    held = AccessGroup.objects.filter(account=OuterRef("pk"), gone_at__isnull=True).values(
        "account"
    )
    return accounts.annotate(held_groups=joined(held, Cast("pk", CharField()), "vendor_id", "name"))


def held_groups(account: VendorAccount) -> list[AccessGroup]:
    """The groups a :func:`with_access_groups` account carries, by name (unsaved copies)."""
    groups = [
        AccessGroup(pk=int(pk), account=account, vendor_id=vendor_id, name=name)
        for pk, vendor_id, name in (
            entry.split(PART, 2) for entry in split_joined(account.held_groups)
        )
    ]
    return sorted(groups, key=lambda g: g.name)


def _groups_of(text: str | None) -> list:
    """The chosen groups a ``person_chosen`` column joined, as objects with vendor_id and name."""
    return [
        SimpleNamespace(vendor_id=vendor_id, name=name)
        for vendor_id, name in (entry.split(PART, 1) for entry in split_joined(text))
    ]


def decision_for(person: Person, account: VendorAccount) -> Decision:
    return eligible_accounts(person, [account])[account.pk]


def decisions_in(account: VendorAccount, people: list[Person]) -> dict[int, Decision]:
    """Per person id, the decision for one account: for a page of pulled people, in four
    queries whatever their number."""
    if not people:
        return {}
    ids = [p.pk for p in people]
    overrides = dict(
        ProvisioningOverride.objects.filter(account=account, person_id__in=ids).values_list(
            "person_id", "mode"
        )
    )
    sites: dict[int, set[int]] = {}
    for person_id, site_id in Person.sites.through.objects.filter(person_id__in=ids).values_list(
        "person_id", "site_id"
    ):
        sites.setdefault(person_id, set()).add(site_id)
    chosen = chosen_groups(ids, [account.pk])
    rules = load_rules()
    found = {}
    for person in people:
        mode = {account.pk: overrides[person.pk]} if person.pk in overrides else {}
        mine = (
            {account.pk: chosen[(person.pk, account.pk)]}
            if (person.pk, account.pk) in chosen
            else {}
        )
        found[person.pk] = decide(
            person, [account], rules, mode, sites.get(person.pk, set()), mine
        )[account.pk]
    return found
