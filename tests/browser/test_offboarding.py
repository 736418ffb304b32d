"""HR terminates a person linked in three systems: the confirmation lists each system's action,
nothing is sent before the confirm, and the page then shows each system confirmed live, as a
push worker (here the test thread, over in-process simulators) reads each record back."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from connectors.simkit.clock import SimClock
from portal.people.models import Person
from portal.sync.models import OutboxMessage
from tests.browser.test_accessibility import axe_violations, seed_pages
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, hire
from tests.portal.sync.test_push_reconcile import drain


def test_hr_terminates_confirms_and_watches_each_system_confirm(login, screenshot):
    clock = SimClock(datetime.now(UTC), frozen=True)
    systems = [
        wire(kind, demo_simulator(kind, clock)) for kind in ("biostar", "biotime", "worktime")
    ]
    page = login("hr")
    from django.contrib.auth import get_user_model

    person = hire(
        Request(get_user_model().objects.get(username="hr")),
        code="90042",
        email="olga.ostrowski@example.com",
        first_name="Olga",
        last_name="Ostrowski",
    )
    for wired in systems:
        drain(wired)
    sent_before = OutboxMessage.objects.count()

    page.goto(f"/people/{person.pk}/")
    page.get_by_label("Reason").fill("Gross misconduct")
    page.get_by_label("Now: an involuntary termination").check()
    page.get_by_role("button", name="Terminate Olga").click()
    confirm = page.get_by_role("region", name="Check, then confirm")
    expect(confirm).to_contain_text("sets the user to disabled and its expiry")
    expect(confirm).to_contain_text("adds a resignation dated the last working day")
    expect(confirm).to_contain_text("soft-deletes the employee")
    expect(confirm).to_contain_text("now, as soon as you confirm")
    assert OutboxMessage.objects.count() == sent_before  # the confirmation step sends nothing
    assert Person.objects.get(pk=person.pk).status == "active"
    assert axe_violations(page) == ""
    screenshot("offboarding-confirm")

    page.get_by_role("button", name="Confirm termination of Olga").click()
    expect(page.locator("h1 .badge")).to_have_text("Terminated")
    progress = page.locator("#offboarding-progress")
    expect(progress).to_have_attribute("aria-live", "polite")
    expect(progress).to_contain_text("0 of 3 systems confirmed")
    screenshot("offboarding-sent")

    drain(systems[0])  # BioStar first: the page shows it confirmed while the others wait
    expect(progress).to_contain_text("1 of 3 systems confirmed")
    for wired in systems[1:]:
        drain(wired)
    expect(progress).to_contain_text("Access is confirmed gone in every system")
    expect(progress.get_by_text("Confirmed", exact=True)).to_have_count(3)
    expect(progress).to_contain_text("disabled = true")
    report = axe_violations(page)
    assert report == "", report
    screenshot("offboarding-confirmed")

    page.get_by_role("link", name="Offboarding report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offboarding report")
    expect(page.locator("table")).to_contain_text("status = inactive")
    screenshot("offboarding-report")


def test_hr_sees_failures_problems_drift_and_cancels_a_scheduled_offboarding(login, screenshot):
    page = login("hr")
    seeded = seed_pages()
    page.goto(f"/people/{seeded['terminated']}/")
    expect(page.locator("#offboarding-progress")).to_contain_text("1 failed and needs a person")
    expect(page.get_by_role("button", name="Retry HQ BioTime")).to_be_visible()
    expect(page.get_by_role("button", name="Disable again in Doors")).to_be_visible()
    screenshot("offboarding-failed-and-still-active")

    page.goto(f"/people/{seeded['person']}/")
    expect(page.get_by_text("Phone is “+49 30 9999” there, “+49 30 1111” here.")).to_be_visible()
    screenshot("person-drift")

    page.goto(f"/sync/offboardings/{seeded['offboarding']}/report/")
    screenshot("offboarding-report-mixed")
    page.emulate_media(media="print")
    screenshot("offboarding-report-print")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Offboardings").click()
    expect(page.get_by_role("cell", name="Moving away")).to_be_visible()
    screenshot("offboarding-list")
    page.get_by_label("Why cancel the offboarding of Lena Lorenz?").fill("Stays after all")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled the offboarding of Lena Lorenz")
    expect(page.get_by_text("No offboarding is scheduled.")).to_be_visible()
    assert Person.objects.get(pk=seeded["leaving"]).status == "active"
