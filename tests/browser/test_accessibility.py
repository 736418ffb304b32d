"""Every page, as the roles that use it, has no axe-core violations (WCAG 2 A/AA rules)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.people.models import Offboarding, Person
from portal.sync.models import (
    AccessProblem,
    ExternalLink,
    OffboardingStep,
    PersonDrift,
    UnmatchedPerson,
)
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
        "/people/offboardings/",
        "/people/{terminated}/",
        "/people/{leaving}/",
        "/sync/offboardings/{offboarding}/report/",
    ],
    "guard": ["/", "/doors/", "/people/"],  # the last one is the 403 page
    "manager": ["/", "/attendance/timecards/"],
}


@pytest.fixture
def seeded(transactional_db):
    return seed_pages()


def seed_pages() -> dict:
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
    return {"biotime": biotime.pk, "person": person.pk} | offboardings(biotime, biostar, person)


def offboardings(biotime, biostar, person):
    """A terminated person mid-offboarding (confirmed, failed and waiting systems, still active
    in one), drift on another, and an offboarding scheduled for a third."""
    from datetime import timedelta

    from django.utils import timezone

    PersonDrift.objects.create(
        person=person,
        account=biotime,
        field="phone",
        portal_value="+49 30 1111",
        vendor_value="+49 30 9999",
    )
    gone = PersonFactory(
        first_name="Tomas",
        last_name="Tiedemann",
        status="terminated",
        termination_date=timezone.localdate(),
        termination_reason="Contract ended",
    )
    now = timezone.now()
    offboarding = Offboarding.objects.create(
        person=gone,
        last_day=timezone.localdate(),
        reason="Contract ended",
        immediate=True,
        scheduled_for=now,
        started_at=now,
    )
    worktime = VendorAccountFactory(kind="worktime", name="WT")
    for account, vendor_id in ((biotime, "161"), (biostar, "90042"), (worktime, "emp_1")):
        ExternalLink.objects.create(
            account=account,
            content_type=ContentType.objects.get_for_model(Person),
            object_id=gone.pk,
            vendor_id=vendor_id,
        )
    OffboardingStep.objects.create(
        offboarding=offboarding,
        account=biostar,
        action="disables the user",
        status="confirmed",
        sent_at=now,
        confirmed_at=now,
        proof={
            "vendor_id": "90042",
            "found": True,
            "active": False,
            "fields": {"disabled": "true", "expiry_datetime": "2026-11-18T09:30:00.00Z"},
            "read_at": now.isoformat(),
        },
    )
    OffboardingStep.objects.create(
        offboarding=offboarding,
        account=biotime,
        action="records a resignation",
        status="failed",
        sent_at=now,
        error="UnsupportedError: this BioTime server has no resignation API.",
    )
    OffboardingStep.objects.create(
        offboarding=offboarding, account=worktime, action="removes the employee", sent_at=now
    )
    AccessProblem.objects.create(
        person=gone, account=biostar, vendor_id="90042", seen={"active": True}
    )
    leaving = PersonFactory(first_name="Lena", last_name="Lorenz")
    Offboarding.objects.create(
        person=leaving,
        last_day=timezone.localdate() + timedelta(days=3),
        reason="Moving away",
        scheduled_for=now + timedelta(days=4),
    )
    return {"terminated": gone.pk, "leaving": leaving.pk, "offboarding": offboarding.pk}


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
