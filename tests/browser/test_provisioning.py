"""Provisioning in the browser: an administrator writes the Bremen rule on the rules page; HR
hires someone at Bremen Warehouse and the person page shows them in BioStar and BioTime only,
created there (the push worker here is the test thread, over in-process simulators)."""

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from connectors.simkit.clock import SimClock
from portal.sync.models import ProvisioningRule
from tests.browser.test_accessibility import axe_violations
from tests.factories import DepartmentFactory, SiteFactory
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push_reconcile import drain

NAMES = {"biostar": "BioStar X", "biotime": "BioTime", "worktime": "WorkTime One"}


def three_systems():
    clock = SimClock(datetime.now(UTC), frozen=True)
    return {
        kind: wire(kind, demo_simulator(kind, clock), name=name) for kind, name in NAMES.items()
    }


def test_an_administrator_writes_the_bremen_rule_with_errors_beside_the_fields(login, screenshot):
    three_systems()
    SiteFactory(name="Bremen Warehouse")
    page = login("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Provisioning").click()
    expect(page.get_by_text("No rules yet.")).to_be_visible()
    screenshot("provisioning-rules-empty")

    page.get_by_role("link", name="Add rule").click()
    page.get_by_label("Name").fill("Bremen Warehouse staff")
    page.get_by_label("Site").select_option(label="Bremen Warehouse")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".field-error")).to_contain_text(
        ["Choose at least one system the rule puts people in."]
    )
    expect(page.get_by_label("Name")).to_have_value("Bremen Warehouse staff")
    assert axe_violations(page) == ""
    screenshot("provisioning-rule-error")

    page.get_by_label("BioStar X").check()
    page.get_by_label("BioTime").check()
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("cell", name="Everyone at Bremen Warehouse")).to_be_visible()
    expect(page.get_by_role("cell", name="BioStar X, BioTime")).to_be_visible()
    screenshot("provisioning-rules")
    assert ProvisioningRule.objects.get().who == "Everyone at Bremen Warehouse"


def test_hr_hires_at_bremen_and_the_person_is_in_biostar_and_biotime_only(login, screenshot):
    systems = three_systems()
    bremen = SiteFactory(name="Bremen Warehouse")
    DepartmentFactory(name="Warehouse")
    rule = ProvisioningRule.objects.create(name="Bremen Warehouse staff", site=bremen)
    rule.accounts.set([systems["biostar"].account, systems["biotime"].account])
    page = login("hr")
    assert get_user_model().objects.filter(username="hr").exists()

    page.goto("/people/add/")
    page.get_by_label("Employee code").fill("90077")
    page.get_by_label("First name").fill("Ronja")
    page.get_by_label("Last name").fill("Rademacher")
    page.get_by_label("Email").fill("ronja.rademacher@example.com")
    page.get_by_label("Department").select_option(label="Warehouse")
    page.get_by_label("Bremen Warehouse").check()
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ronja Rademacher")
    table = page.locator("#systems")
    expect(table.get_by_role("row", name="BioStar X")).to_contain_text("Creating there…")
    screenshot("provisioning-person-creating")

    for wired in systems.values():
        drain(wired)

    for name in ("BioStar X", "BioTime"):
        row = table.get_by_role("row", name=name)
        expect(row).to_contain_text("Rule “Bremen Warehouse staff”")
        expect(row).to_contain_text("In step")  # the page polls itself until the creates are sent
        expect(row).to_contain_text("90077" if name == "BioStar X" else "Yes")
    worktime = table.get_by_role("row", name="WorkTime One")
    expect(worktime).to_contain_text("No rule matches")
    expect(worktime).to_contain_text("Not there")
    assert axe_violations(page) == ""
    screenshot("provisioning-person-created")

    page.get_by_text("Systems and access groups for Ronja").click()
    expect(page.get_by_label("In WorkTime One")).to_have_value("")
    screenshot("provisioning-person-form")
