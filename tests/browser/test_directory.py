"""The directory, bulk changes, the problems list and unmatched suggestions in a real browser."""

import re

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from portal.people.models import Person
from portal.sync.models import ExternalLink, OutboxMessage, UnmatchedPerson
from tests.browser.test_accessibility import axe_violations
from tests.factories import DepartmentFactory, PersonFactory, VendorAccountFactory, link_person_to


def test_search_keeps_focus_updates_the_count_and_sorts(login, screenshot):
    sales = DepartmentFactory(name="Sales")
    biotime = VendorAccountFactory(name="HQ BioTime")
    for n, (first, last) in enumerate(
        [("Hanna", "Hinrichs"), ("Hans", "Hansen"), ("Ida", "Iversen"), ("Nina", "Nielsen")]
    ):
        person = PersonFactory(
            first_name=first, last_name=last, employee_code=f"0004{n}", department=sales
        )
        link_person_to(biotime, person, str(n))
    page = login("hr")
    page.goto("/people/")
    expect(page.locator("#result-count")).to_have_text("4 people")
    search = page.get_by_label("Search")
    search.click()
    search.press_sequentially("han", delay=40)
    expect(page.locator("#result-count")).to_have_text("2 people match")
    page.get_by_label("Status").select_option(label="Active")  # a filter select still filters
    expect(page.locator("#result-count")).to_have_text("2 people match")
    expect(page).to_have_url(re.compile(r"status=active"))
    search.click()
    expect(search).to_be_focused()  # only the results were swapped
    expect(search).to_have_value("han")
    page.get_by_role("link", name="Code").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Code")
    page.get_by_role("link", name="Code").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Code")
    expect(page.locator("#person-table tbody tr").first).to_contain_text("Hans Hansen")
    expect(page.locator("#export-link")).to_have_attribute(
        "href", "/people/export.csv?q=han&status=active&sort=-code"
    )
    assert "sort=-code" in page.url and "q=han" in page.url
    screenshot("people-directory")


def test_bulk_department_change_confirms_then_reports_each_person(login, screenshot):
    DepartmentFactory(name="Sales")
    support = DepartmentFactory(name="Support")
    hanna = PersonFactory(first_name="Hanna", last_name="Hinrichs")
    ida = PersonFactory(first_name="Ida", last_name="Iversen")
    page = login("hr")
    page.goto("/people/")
    page.get_by_label("Select everyone on this page").check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Change", exact=True).select_option(label="Set department")
    bulk.get_by_label("Department").select_option(label="Support")
    page.wait_for_timeout(500)  # a filter request set off by these selects would land by now
    expect(page.locator('#person-table input[name="person"]:checked')).to_have_count(2)
    bulk.get_by_role("button", name="Review change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you change them")
    assert axe_violations(page) == ""
    screenshot("people-bulk-confirm")
    page.get_by_role("button", name="Move 2 people to the department Support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changed 2 of 2 people")
    assert axe_violations(page) == ""
    screenshot("people-bulk-result")
    for person in (hanna, ida):
        person.refresh_from_db()
        assert person.department == support


def test_problems_page_retries_a_failed_change(login, screenshot):
    doors = VendorAccountFactory(kind="biostar", name="Doors")
    hanna = PersonFactory(first_name="Hanna", last_name="Hinrichs")
    failed = OutboxMessage.objects.create(
        account=doors,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=hanna.pk,
        idempotency_key="k1",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_error="PermissionDeniedError: the API operator may not change users.",
        scheduled_for=timezone.now(),
    )
    page = login("hr")
    page.get_by_role("link", name="Changes that could not reach a system: 1").click()
    expect(page.locator("#failed")).to_contain_text("may not change users")
    screenshot("problems")
    page.get_by_role("button", name="Retry the change of Hanna Hinrichs in Doors").click()
    expect(page.locator("#failed")).to_contain_text("Queued again")
    failed.refresh_from_db()
    assert failed.status == "pending"


def test_unmatched_suggestion_links_with_one_click(login, screenshot):
    doors = VendorAccountFactory(kind="biostar", name="Doors")
    hanna = PersonFactory(first_name="Hanna", last_name="Hinrichs", employee_code="00042")
    UnmatchedPerson.objects.create(
        account=doors,
        vendor_id="77",
        code="42",
        first_name="Hanna",
        last_name="Hinrichs",
        reason=UnmatchedPerson.Reason.NO_MATCH,
    )
    page = login("hr")
    page.goto("/sync/unmatched/")
    screenshot("unmatched-suggestions")
    page.get_by_role("button", name="Choose Hanna Hinrichs (00042)").click()
    expect(page.get_by_role("status")).to_contain_text("Linked Doors record 77 to Hanna Hinrichs")
    assert ExternalLink.objects.get(account=doors).object_id == hanna.pk


def test_audit_log_reads_as_sentences_and_filters_by_person(login, screenshot):
    from portal.core import audit
    from tests.factories import UserFactory

    sales = DepartmentFactory(name="Sales")
    hanna = PersonFactory(first_name="Hanna", last_name="Hinrichs")
    nina = PersonFactory(first_name="Nina", last_name="Nielsen")
    clerk = UserFactory(username="hhansen", first_name="Helga", last_name="Hansen")
    audit.record(
        "person.changed",
        actor=clerk,
        obj=hanna,
        before={"phone": "0151", "department": None},
        after={"phone": "0160", "department": sales.pk},
    )
    audit.record(
        "person.terminated",
        actor=clerk,
        obj=nina,
        before={"status": "active"},
        after={
            "status": "terminated",
            "termination_date": "2026-11-30",
            "termination_reason": "Moved",
        },
    )
    page = login("admin")
    page.goto("/audit/")
    expect(page.locator("#audit-table")).to_contain_text(
        "Helga Hansen changed Hanna Hinrichs: department from (empty) to Sales, phone from 0151 to 0160."
    )
    screenshot("audit-log")
    search = page.get_by_label("Person or item")
    search.click()
    search.press_sequentially("nielsen", delay=40)
    expect(page.locator("#audit-table tbody tr")).to_have_count(1)
    expect(page.locator("#audit-table")).to_contain_text(
        "Helga Hansen terminated Nina Nielsen (last day 2026-11-30, reason \u201cMoved\u201d)."
    )
    expect(search).to_be_focused()
