"""HR adds a department and watches it reach BioTime and BioStar; a BioStar user re-enabled
after termination is raised on the problems page and disabled again from there."""

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from connectors.simkit.clock import SimClock
from portal.people import services
from portal.people.models import Department
from portal.sync import access_problems
from tests.browser.test_accessibility import axe_violations
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, biostar_user, hire
from tests.portal.sync.test_push_reconcile import drain


def test_hr_adds_a_department_and_sees_it_sent_to_biotime_and_biostar(login, screenshot):
    clock = SimClock(datetime.now(UTC), frozen=True)
    biotime, biostar = (wire(kind, demo_simulator(kind, clock)) for kind in ("biotime", "biostar"))
    Department.objects.create(name="Shipping", code="SHP")
    page = login("hr")
    page.goto("/people/departments/")
    page.get_by_role("link", name="Add a department").click()
    page.get_by_label("Name").fill("Logistics")
    page.get_by_label("Code").fill("SHP")  # taken by Shipping
    page.get_by_role("button", name="Add department").click()
    expect(page.locator("#org-form .field-error")).to_contain_text("Code already exists")
    expect(page.get_by_label("Name")).to_have_value("Logistics")  # what was typed stays
    assert axe_violations(page) == ""
    screenshot("org-department-form-error")

    page.get_by_label("Code").fill("LOG")
    page.get_by_role("button", name="Add department").click()
    row = page.get_by_role("row").filter(has_text="LOG")
    expect(row).to_contain_text("waiting to be sent")
    drain(biotime)
    drain(biostar)
    page.reload()
    expect(row).to_contain_text("biotime test: linked")
    expect(row).to_contain_text("biostar test: linked")
    assert [n for n in biotime.simulator.directory.departments.values() if n.code == "LOG"]
    assert [g for g in biostar.simulator.user_groups.values() if g.name == "Logistics"]
    assert axe_violations(page) == ""
    screenshot("org-department-list")

    for path, name in (
        ("/people/positions/", "org-position-list"),
        ("/people/sites/", "org-site-list"),
        ("/people/sites/add/", "org-site-form"),
    ):
        page.goto(path)
        assert axe_violations(page) == ""
        screenshot(name)


def test_a_biostar_user_re_enabled_after_termination_is_disabled_again_from_problems(
    login, screenshot
):
    clock = SimClock(datetime.now(UTC), frozen=True)
    biostar = wire("biostar", demo_simulator("biostar", clock))
    page = login("hr")
    hr = Request(get_user_model().objects.get(username="hr"))
    person = hire(hr, code="90077", first_name="Rita", last_name="Reuter")
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(biostar)
    assert biostar_user(biostar, "90077")["disabled"] == "true"

    # someone re-enables the user in BioStar's own console
    client = biostar.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": biostar.simulator.admin_password}
    )
    client.put(
        "/api/users/90077",
        json={"User": {"disabled": "false", "expiry_datetime": "2030-12-31T23:59:00.00Z"}},
        headers={"bs-session-id": session.headers["bs-session-id"]},
    )
    assert access_problems.check_terminated_access(transport_for=lambda a: biostar.transport) == 1

    page.goto("/sync/problems/")
    row = page.get_by_role("row").filter(has_text="Rita Reuter")
    expect(row).to_contain_text("biostar test")
    assert axe_violations(page) == ""
    screenshot("problems-still-active")
    row.get_by_role("button", name="Disable Rita Reuter again in biostar test").click()
    expect(page.get_by_text("Sending the termination of Rita Reuter")).to_be_visible()
    drain(biostar)
    assert biostar_user(biostar, "90077")["disabled"] == "true"
    page.goto("/sync/problems/")
    expect(page.get_by_role("row").filter(has_text="Rita Reuter")).to_have_count(0)
