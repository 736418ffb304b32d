"""A manager corrects a missing punch, approves the week, exports it, and sees only their team."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.attendance.models import TimePeriod
from portal.core.models import AuditEntry
from portal.people.models import Person
from tests.browser.test_accessibility import axe_violations, punch_a_week
from tests.factories import PersonFactory, VendorAccountFactory

WEEK = "/attendance/timecards/period/?span=week&start=2026-11-16"


def test_manager_corrects_approves_and_exports_the_week(login, screenshot):
    page = login("manager")
    from django.contrib.auth import get_user_model

    boss = PersonFactory(
        first_name="Maren",
        last_name="Manager",
        user=get_user_model().objects.get(username="manager"),
    )
    anna = PersonFactory(first_name="Anna", last_name="Arndt", manager=boss)
    stranger = PersonFactory(first_name="Sara", last_name="Stranger")
    account = VendorAccountFactory()
    punch_a_week(anna, account)
    punch_a_week(stranger, account)

    page.goto(WEEK)
    row = page.get_by_role("row", name="Anna Arndt")
    expect(row).to_contain_text("Missing out")
    expect(page.get_by_text("Sara Stranger")).to_have_count(0)
    screenshot("timecards-grid-missing-out")

    row.get_by_role("link", name="Monday 16 November").click()
    panel = page.locator("#day-panel")
    expect(panel.get_by_role("heading", level=2)).to_contain_text(
        "Anna Arndt, Monday 16 November 2026"
    )
    panel.get_by_role("textbox", name="Time (local)", exact=True).fill("2026-11-16T16:30")
    panel.get_by_label("Direction").select_option("out")
    panel.get_by_role("textbox", name="Reason", exact=True).fill(
        "Forgot to clock out; confirmed by the shift lead"
    )
    panel.get_by_role("button", name="Add punch").click()
    expect(panel.get_by_role("status")).to_contain_text("Added an out punch at 16:30")
    expect(panel).to_contain_text("Changed by manager because")
    expect(page.get_by_role("row", name="Anna Arndt")).not_to_contain_text("Missing out")
    expect(page.get_by_role("row", name="Anna Arndt")).to_contain_text("39:45")
    screenshot("timecards-day-corrected")
    assert axe_violations(page) == ""  # the grid with its day panel open

    page.get_by_role("button", name="Approve Anna Arndt").click()
    expect(page.get_by_role("status")).to_contain_text("Approved Anna Arndt")
    expect(page.get_by_role("row", name="Anna Arndt")).to_contain_text("Approved, locked")
    screenshot("timecards-week-approved")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export approved (XLSX)").click()
    assert download.value.suggested_filename == "timecards-2026-11-16-2026-11-22.xlsx"
    with open(download.value.path(), "rb") as exported:
        sheet = load_workbook(io.BytesIO(exported.read())).active
    assert [sheet.cell(r, 2).value for r in range(2, 7)] == ["Anna Arndt"] * 5
    assert sheet["D2"].value == 477  # 08:03 to 16:30, less the owed break
    with page.expect_download() as download:
        page.get_by_role("link", name="Export approved (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert len(rows) == 6 and rows[1][1] == "Anna Arndt"

    assert TimePeriod.objects.get(person=anna).status == "approved"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"timecards.punch_added", "timecards.period_approved", "timecards.exported"} <= actions

    # another team's person, typed into the address bar
    stranger_id = Person.objects.get(last_name="Stranger").pk
    response = page.goto(f"/attendance/timecards/people/{stranger_id}/days/2026-11-16/")
    assert response.status == 404
    assert datetime.now(UTC)  # the page answered; nothing of Sara's was shown
    expect(page.get_by_text("Sara")).to_have_count(0)
