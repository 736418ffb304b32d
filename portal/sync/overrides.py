"""HR's per-person choices above the rules: "always" / "never" per system, and access groups.

Page, API and tests call these; each writes, audits and pushes in the caller's transaction.
"""

from __future__ import annotations

from django.db import transaction

from portal.core import audit
from portal.people.models import Person
from portal.sync.models import (
    AccessGroup,
    PersonAccessGroups,
    ProvisioningOverride,
    VendorAccount,
)
from portal.sync.outbox import enqueue_person

FOLLOW = ""  # no override: the rules decide


@transaction.atomic
def set_overrides(person: Person, modes: dict[int, str], *, request) -> dict[str, str]:
    """``modes``: account id → "always" / "never" / "" (follow the rules). Returns what changed
    as {system name: new mode}; a change moves the person in or out of those systems."""
    accounts = VendorAccount.objects.in_bulk(list(modes))
    current = dict(
        ProvisioningOverride.objects.filter(person=person).values_list("account_id", "mode")
    )
    before, after = {}, {}
    for account_id, mode in modes.items():
        account = accounts.get(account_id)
        if account is None or current.get(account_id, FOLLOW) == mode:
            continue
        if mode == FOLLOW:
            ProvisioningOverride.objects.filter(person=person, account=account).delete()
        else:
            ProvisioningOverride.objects.update_or_create(
                person=person, account=account, defaults={"mode": mode}
            )
        before[account.name] = current.get(account_id, FOLLOW) or "rules"
        after[account.name] = mode or "rules"
    if after:
        audit.record(
            "person.provisioning_changed", request=request, obj=person, before=before, after=after
        )
        enqueue_person(person, "update", provisioning_changed=True)
    return after


@transaction.atomic
def set_access_groups(
    person: Person, account: VendorAccount, groups: list[AccessGroup], *, request
) -> bool:
    """HR's access groups for ``person`` in ``account`` (the rules' groups are granted anyway).
    Returns whether anything changed; a change is pushed to that system."""
    choice, created = PersonAccessGroups.objects.get_or_create(person=person, account=account)
    old = sorted(g.name for g in choice.groups.all())
    new = sorted(g.name for g in groups)
    if old == new and not created:
        return False
    choice.groups.set(groups)
    choice.save(update_fields=["updated_at"])
    audit.record(
        "person.access_groups_changed",
        request=request,
        obj=person,
        before={"system": account.name, "access_groups": old},
        after={"system": account.name, "access_groups": new},
    )
    enqueue_person(person, "update", only=account)
    return True
