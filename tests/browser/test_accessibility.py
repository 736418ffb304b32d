"""Every page, as the roles that use it, has no axe-core violations (WCAG 2 A/AA rules)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson
from tests.factories import PersonFactory, VendorAccountFactory

PAGES = {
    "admin": [
        "/",
        "/sync/health/",
        "/sync/accounts/",
        "/sync/accounts/add/",
        "/sync/accounts/{biotime}/edit/",
        "/audit/",
        "/devices/",
        "/doors/",
    ],
    "hr": [
        "/",
        "/people/",
        "/people/add/",
        "/people/{person}/",
        "/people/{person}/edit/",
        "/sync/unmatched/",
        "/account/tokens/",
    ],
    "guard": ["/", "/doors/", "/people/"],  # the last one is the 403 page
    "manager": ["/", "/attendance/timecards/"],
}


@pytest.fixture
def seeded(transactional_db):
    """Enough rows that each page shows its real parts: panels, tables, banners, forms."""
    biotime = VendorAccountFactory(
        kind="biotime", name="HQ BioTime", server_capabilities={"resignations": False}
    )
    biostar = VendorAccountFactory(kind="biostar", name="Doors", options={"login_id": "api"})
    person = PersonFactory(first_name="Hanna", last_name="Hinrichs")
    ExternalLink.objects.create(
        account=biotime,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        vendor_id="160",
        vendor_code=person.employee_code,
        raw={"emp_code": person.employee_code, "Passport No": "C01X00T47"},
    )
    UnmatchedPerson.objects.create(
        account=biostar,
        vendor_id="1",
        code="1",
        first_name="Administrator",
        reason=UnmatchedPerson.Reason.NO_MATCH,
        system_account=True,
    )
    UnmatchedPerson.objects.create(
        account=biostar,
        vendor_id="77",
        code="0077",
        first_name="Ida",
        last_name="Iversen",
        email="ida@example.com",
        reason=UnmatchedPerson.Reason.NO_MATCH,
    )
    return {"biotime": biotime.pk, "person": person.pk}


def axe_violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_have_no_axe_violations(login, seeded, role):
    page = login(role)
    problems = []
    for path in PAGES[role]:
        page.goto(path.format(**seeded))
        page.wait_for_load_state("networkidle")
        if report := axe_violations(page):
            problems.append(f"{role} {path}:\n{report}")
    assert not problems, "\n\n".join(problems)


def test_the_login_page_has_no_axe_violations(page, transactional_db):
    page.goto("/login/")
    assert axe_violations(page) == ""
