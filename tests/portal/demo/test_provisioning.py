"""`make run` seeds realistic provisioning rules once, granting the demo BioStar's groups."""

import pytest

from connectors.registry import kinds, vendor
from portal.demo.org import seed_org
from portal.demo.provisioning import read_access_groups, seed_rules
from portal.sync.models import ProvisioningRule, VendorAccount
from tests.portal.demo.test_accounts import announced

pytestmark = pytest.mark.django_db


def test_the_demo_rules_put_bremen_in_biostar_and_biotime_with_its_staff_group():
    from portal.demo.accounts import register_simulator_account

    for kind in kinds():
        register_simulator_account(announced(kind))
    seed_org()
    biostar = VendorAccount.objects.get(kind="biostar")
    simulator = vendor("biostar").simulator_class.demo()
    biostar.base_url = "http://sim.test" + simulator.base_path
    biostar.save()
    read_access_groups(biostar, transport=simulator.transport())

    made = seed_rules()

    bremen = ProvisioningRule.objects.get(name="Bremen Warehouse staff")
    assert bremen.who == "Everyone at Bremen Warehouse"
    assert {a.kind for a in bremen.accounts.all()} == {"biostar", "biotime"}
    assert [g.name for g in bremen.access_groups.all()] == ["Bremen Warehouse staff"]
    cold_store = ProvisioningRule.objects.get(name="Bremen Warehouse cold store (Warehouse)")
    assert [g.name for g in cold_store.access_groups.all()] == ["BRE Cold store access"]
    assert len(made) == 7
    assert seed_rules() == []  # once: an administrator's edits are kept
