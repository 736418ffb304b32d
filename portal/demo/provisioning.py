"""The demo's provisioning rules: who belongs in which demo system, with which BioStar access
groups. Mirrors how the simulators' own data was set up (every site's staff group; restricted
doors for the departments that work there), so the rules explain the demo rather than fight it.

Seeded once, when no rule exists yet: an administrator's later edits are kept.
"""

from __future__ import annotations

import logging

from django.db import transaction

from connectors.simkit.demo_company import SITES
from portal.people.models import Department, Site
from portal.sync.models import AccessGroup, ProvisioningRule, VendorAccount

log = logging.getLogger(__name__)

#: restricted doors per site, and the department whose people go through them
RESTRICTED = {
    "HAM": ("Server room", "IT"),
    "BRE": ("Cold store", "Warehouse"),
    "HAN": ("Parts store", "Workshop"),
}


def read_access_groups(account: VendorAccount, *, transport=None) -> None:
    """Read the demo BioStar's access groups now, so the rules can grant them from the start."""
    from portal.sync.pull import pull_stream

    try:
        pull_stream(account.pk, "access_groups", transport=transport)
    except Exception as exc:  # the demo still starts; the hourly pull reads them later
        log.warning("could not read the demo access groups: %s", exc)


@transaction.atomic
def seed_rules() -> list[ProvisioningRule]:
    if ProvisioningRule.objects.exists():
        return []
    accounts = {a.kind: a for a in VendorAccount.objects.filter(name__startswith="Demo ")}
    biostar = accounts.get("biostar")
    groups = {g.name: g for g in AccessGroup.objects.filter(account=biostar)} if biostar else {}
    made = []

    def rule(name, kinds, *, site=None, department=None, group_names=()):
        systems = [accounts[k] for k in kinds if k in accounts]
        if not systems:
            return
        created = ProvisioningRule.objects.create(name=name, site=site, department=department)
        created.accounts.set(systems)
        created.access_groups.set([groups[g] for g in group_names if g in groups])
        made.append(created)

    rule("Everyone clocks in BioTime and WorkTime One", ["biotime", "worktime"])
    for demo_site in SITES:
        site = Site.objects.filter(code=demo_site.code).first()
        if site is None:
            continue
        rule(
            f"{demo_site.name} staff",
            ["biostar", "biotime"] if demo_site.code == "BRE" else ["biostar"],
            site=site,
            group_names=[f"{demo_site.name} staff"],
        )
        door, department_name = RESTRICTED[demo_site.code]
        department = Department.objects.filter(name=department_name).first()
        if department is not None:
            rule(
                f"{demo_site.name} {door.lower()} ({department_name})",
                ["biostar"],
                site=site,
                department=department,
                group_names=[f"{demo_site.code} {door} access"],
            )
    return made
