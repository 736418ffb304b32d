"""Administrators and HR on the sync pages, with data pulled from the in-process simulators."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from connectors.q2.simulator import Q2Simulator
from connectors.simkit.clock import SimClock
from portal.people.models import Person
from portal.sync.models import OutboxMessage, UnmatchedPerson
from portal.sync.pull import pull_stream
from tests.factories import PersonFactory
from tests.portal.sync.conftest import NOW, wire


def pulled_q2(import_new_people=True):
    wired = wire(
        "q2",
        Q2Simulator.demo(clock=SimClock(NOW, frozen=True)),
        import_new_people=import_new_people,
    )
    for stream in ("people", "time_cards"):
        pull_stream(wired.account.pk, stream, transport=wired.transport)
    return wired


def test_health_page_shows_runs_errors_and_retries_a_failed_change(login, screenshot):
    wired = pulled_q2()
    wired.simulator.rotate_token()
    pull_stream(wired.account.pk, "time_cards", transport=wired.transport)
    person = PersonFactory(first_name="Kai", last_name="Kruse", employee_code="00900")
    failed = OutboxMessage.objects.create(
        account=wired.account,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        payload={"first_name": "Kai", "last_name": "Kruse", "code": "00900"},
        idempotency_key="k1",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        scheduled_for=timezone.now(),
        last_error="TransientError: OpenTimeClock did not answer in time",
    )
    page = login("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync health").click()
    expect(page.get_by_role("cell").get_by_text("Developer token is not correct.")).to_be_visible()
    # the refused token paused the account: the page says so, and why, above the streams
    paused = page.get_by_role("alert").filter(has_text="Paused since")
    expect(paused).to_contain_text("Developer token is not correct.")
    expect(paused.get_by_role("link", name="Edit the account")).to_be_visible()
    expect(page.get_by_text("Update Kai Kruse (00900)")).to_be_visible()
    screenshot("sync-health")
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Queued again")).to_be_visible()
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.PENDING and failed.attempts == 0


def test_hr_links_an_unmatched_person(login, screenshot):
    pulled_q2(import_new_people=False)
    entry = UnmatchedPerson.objects.exclude(code="").order_by("last_name").first()
    PersonFactory(employee_code="55555", first_name=entry.first_name, last_name=entry.last_name)
    page = login("hr")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Unmatched").click()
    screenshot("unmatched-queue", full_page=False)
    row = page.locator("tr", has=page.get_by_text(entry.code, exact=True))
    row.get_by_label(f"Employee code in Workgate for {entry.first_name} {entry.last_name}").fill(
        "nope"
    )
    row.get_by_role("button", name="Link").click()
    expect(row.get_by_role("alert")).to_contain_text("Nobody in Workgate has the code nope")
    row.get_by_label(f"Employee code in Workgate for {entry.first_name} {entry.last_name}").fill(
        "55555"
    )
    row.get_by_role("button", name="Link").click()
    expect(page.get_by_role("status")).to_contain_text("Linked")
    assert not UnmatchedPerson.objects.filter(pk=entry.pk).exists()
