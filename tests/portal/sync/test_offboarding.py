"""Offboarding with proof, through BioStar X, BioTime and WorkTime One simulators (in-process).

Given a person linked in three systems, when HR terminates them (now or at the end of the last
working day), then each system revokes access its own way and Workgate reads every record back:
the report shows, per system, what was done, when, by whom and the read-back proof.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.people import services
from portal.people.models import Offboarding, Person
from portal.sync import access_problems as problems
from portal.sync.models import AccessProblem, OffboardingStep, OutboxMessage
from portal.sync.offboarding import report_csv
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, biostar_user, hire
from tests.portal.sync.test_push_reconcile import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


@pytest.fixture
def three(biostar, clock):
    """BioStar X, BioTime and WorkTime One, each its own simulator."""
    return [
        biostar,
        wire("biotime", demo_simulator("biotime", clock)),
        wire("worktime", demo_simulator("worktime", clock)),
    ]


def drain_all(systems):
    for wired in systems:
        drain(wired)


def hired_everywhere(hr, systems, **fields):
    person = hire(hr, code="90042", email="olga.ostrowski@example.com", **fields)
    drain_all(systems)
    sent = OutboxMessage.objects.filter(action="create", status="sent").count()
    assert sent == 3, list(OutboxMessage.objects.values_list("status", "last_error"))
    return person


def test_a_scheduled_offboarding_runs_at_its_time_and_its_report_shows_each_read_back(
    three, hr, client_as
):
    person = hired_everywhere(hr, three)
    last_day = timezone.localdate() + timedelta(days=2)

    offboarding = services.request_termination(
        person, last_day=last_day, reason="Contract ended", immediate=False, request=hr
    )
    # scheduled for the end of the last day in the site's zone (no site: Europe/Berlin)
    local = timezone.localtime(offboarding.scheduled_for)
    assert (local.date(), local.hour, local.minute) == (last_day + timedelta(days=1), 0, 0)
    assert services.run_due_offboardings() == []  # not yet: nothing sent, still active
    person.refresh_from_db()
    assert person.status == "active" and not OutboxMessage.objects.filter(action="terminate")

    moved_clock = offboarding.scheduled_for + timedelta(seconds=30)
    assert services.run_due_offboardings(now=moved_clock) == [offboarding.pk]
    assert services.run_due_offboardings(now=moved_clock) == []  # idempotent
    person.refresh_from_db()
    assert (person.status, person.termination_date) == ("terminated", last_day)
    steps = OffboardingStep.objects.filter(offboarding=offboarding)
    assert sorted(steps.values_list("status", flat=True)) == ["sending"] * 3

    drain_all(three)
    steps = {s.account.kind: s for s in steps.select_related("account")}
    assert {kind: s.status for kind, s in steps.items()} == dict.fromkeys(
        ("biostar", "biotime", "worktime"), "confirmed"
    ), {kind: s.error for kind, s in steps.items()}
    assert steps["biostar"].proof["fields"]["disabled"] == "true"
    assert steps["biostar"].proof["active"] is False
    assert steps["worktime"].proof["fields"]["status"] == "inactive"
    assert steps["biotime"].proof["terminated_on"] == last_day.isoformat()  # the resignation
    assert biostar_user(three[0], "90042")["disabled"] == "true"  # really so in the simulator
    offboarding.refresh_from_db()
    assert offboarding.finished_at is not None

    html = client_as("hr").get(reverse("sync:offboarding-report", args=[offboarding.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    for wired in three:
        assert wired.account.name in text
    assert "disabled = <code>true</code>" in text and "status = <code>inactive</code>" in text
    assert "Confirmed: access is gone" in text and "Requested" in text and "hr" in text
    csv_text = report_csv(offboarding)
    assert "disabled=true" in csv_text and "status=inactive" in csv_text
    assert csv_text.count("Confirmed: access is gone") == 3


def test_the_csv_report_is_a_download_and_is_audited(three, hr, client_as):
    person = hired_everywhere(hr, three)
    services.terminate_person(person, on=timezone.localdate(), reason="=HYPERLINK()", request=hr)
    drain_all(three)
    offboarding = Offboarding.objects.get(person=person)
    response = client_as("hr").get(reverse("sync:offboarding-report-csv", args=[offboarding.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "'=HYPERLINK()" in body  # a spreadsheet does not run a reason as a formula
    assert AuditEntry.objects.filter(action="offboarding.exported").exists()


def test_the_person_page_shows_each_system_sent_then_confirmed_and_stops_polling(
    three, hr, client_as
):
    person = hired_everywhere(hr, three)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    offboarding = Offboarding.objects.get(person=person)
    client = client_as("hr")
    page = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()
    steps_url = reverse("sync:offboarding-steps", args=[offboarding.pk])
    assert f'hx-get="{steps_url}"' in page and 'aria-live="polite"' in page
    assert "0 of 3 systems confirmed; waiting for the others" in page

    drain(three[0])
    partial = client.get(steps_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "1 of 3 systems confirmed" in partial.content.decode()

    drain_all(three[1:])
    partial = client.get(steps_url, headers={"HX-Request": "true"})
    assert partial.status_code == 286  # htmx stops polling: nothing waits any more
    assert "Access is confirmed gone in every system" in partial.content.decode()


def test_a_failed_step_shows_the_vendors_words_and_a_retry_sends_it_again(three, hr, client_as):
    person = hired_everywhere(hr, three)
    biostar = three[0]
    biostar.simulator.faults.error_burst = 10_000
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    from portal.sync import push

    for _ in range(push.MAX_ATTEMPTS):
        drain(biostar)
        OutboxMessage.objects.filter(status="pending").update(scheduled_for=timezone.now())
    step = OffboardingStep.objects.get(account=biostar.account)
    assert step.status == "failed" and "503" in step.error
    client = client_as("hr")
    page = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Retry " + biostar.account.name in page

    biostar.simulator.faults.clear()
    client.post(reverse("sync:offboarding-step-retry", args=[step.pk]))
    step.refresh_from_db()
    assert step.status == "sending"
    drain(biostar)
    step.refresh_from_db()
    assert step.status == "confirmed" and step.proof["fields"]["disabled"] == "true"


def test_the_confirmation_step_lists_each_system_and_sends_nothing(three, hr, client_as):
    person = hired_everywhere(hr, three)
    before = OutboxMessage.objects.count()
    response = client_as("hr").post(
        reverse("people:person-terminate", args=[person.pk]),
        {"termination_date": timezone.localdate().isoformat(), "reason": "Left", "when": "now"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "nothing has been sent yet" in html
    assert "sets the user to disabled and its expiry" in html  # BioStar
    assert "adds a resignation dated the last working day" in html  # BioTime
    assert "soft-deletes the employee" in html  # WorkTime One
    assert "now, as soon as you confirm" in html
    person.refresh_from_db()
    assert person.status == "active"
    assert OutboxMessage.objects.count() == before and not Offboarding.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="person.terminated").exists()


def test_confirming_a_future_last_day_schedules_it_and_hr_can_cancel_it(biostar, hr, client_as):
    person = hire(hr)
    drain(biostar)
    last_day = timezone.localdate() + timedelta(days=5)
    client = client_as("hr")
    response = client.post(
        reverse("people:person-terminate", args=[person.pk]),
        {"termination_date": last_day.isoformat(), "reason": "Moving", "confirm": "1"},
    )
    assert response.status_code == 302
    offboarding = Offboarding.objects.get(person=person)
    assert offboarding.started_at is None and not OutboxMessage.objects.filter(action="terminate")
    listing = client.get(reverse("people:offboarding-list")).content.decode()
    assert person.full_name in listing and "Moving" in listing

    client.post(reverse("people:offboarding-cancel", args=[offboarding.pk]), {"cancel_reason": ""})
    offboarding.refresh_from_db()
    assert offboarding.cancelled_at is None  # a reason is required
    client.post(
        reverse("people:offboarding-cancel", args=[offboarding.pk]),
        {"cancel_reason": "Stays after all"},
    )
    offboarding.refresh_from_db()
    assert offboarding.cancel_reason == "Stays after all"
    assert services.run_due_offboardings(now=offboarding.scheduled_for + timedelta(days=1)) == []
    person.refresh_from_db()
    assert person.status == "active"
    assert AuditEntry.objects.filter(action="offboarding.cancelled").exists()


def test_a_last_day_before_the_hire_date_is_refused_and_nothing_is_scheduled(hr):
    from datetime import date

    from tests.factories import PersonFactory

    person = PersonFactory(hire_date=date(2026, 3, 1))
    with pytest.raises(ValidationError):
        services.request_termination(
            person, last_day=date(2026, 2, 27), reason="Left", immediate=False, request=hr
        )
    assert not Offboarding.objects.exists()


def test_a_biostar_user_re_enabled_after_termination_is_raised_and_disabled_again(
    biostar, hr, client_as
):
    person = hire(hr)
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(biostar)
    assert biostar_user(biostar, "90001")["disabled"] == "true"

    # someone re-enables the user in BioStar's own console
    client = biostar.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": biostar.simulator.admin_password}
    )
    answer = client.put(
        "/api/users/90001",
        json={"User": {"disabled": "false", "expiry_datetime": "2030-12-31T23:59:00.00Z"}},
        headers={"bs-session-id": session.headers["bs-session-id"]},
    )
    assert answer.status_code == 200, answer.text

    raised = problems.check_terminated_access(transport_for=lambda account: biostar.transport)
    assert raised == 1
    problem = problems.still_active_after_termination().get()
    assert (problem.person, problem.account, problem.seen["active"]) == (
        person,
        biostar.account,
        True,
    )
    assert problems.check_terminated_access(transport_for=lambda a: biostar.transport) == 1
    assert AccessProblem.objects.count() == 1  # raised once, seen again

    client = client_as("hr")
    page = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Still active" in page and "Disable again in" in page, page[page.find('id="systems"') :]
    client.post(reverse("sync:access-problem-disable", args=[problem.pk]))
    drain(biostar)
    assert biostar_user(biostar, "90001")["disabled"] == "true"
    problem.refresh_from_db()
    assert problem.resolved_at is not None
    assert not problems.still_active_after_termination().exists()
    assert AuditEntry.objects.filter(action="access.disabled_again").exists()


def test_a_people_pull_raises_a_terminated_person_active_in_the_vendor(biostar, hr):
    from portal.sync.pull import pull_stream

    person = hire(hr)
    drain(biostar)
    Person.objects.filter(pk=person.pk).update(
        status="terminated", termination_date=timezone.localdate()
    )  # as if the push had not gone out yet
    run = pull_stream(biostar.account.pk, "people", transport=biostar.transport, full=True)
    assert run.status == "succeeded", run.error
    assert problems.still_active_after_termination().filter(person=person).exists()
    assert person.drifts.get(field="status").vendor_value == "active"


def test_a_rehire_before_every_system_confirmed_ends_the_offboarding_not_as_a_failure(biostar, hr):
    person = hire(hr)
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    services.rehire_person(person, request=hr)
    drain(biostar)
    offboarding = Offboarding.objects.get(person=person)
    assert offboarding.cancelled_at is not None and "Rehired" in offboarding.cancel_reason
    assert OffboardingStep.objects.get(offboarding=offboarding).status == "sending"
    assert biostar_user(biostar, "90001").get("disabled") != "true"  # newest wins: active


def test_the_end_of_the_last_day_is_measured_in_the_persons_site_zone(hr):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from tests.factories import PersonFactory, SiteFactory

    person = PersonFactory(hire_date=date(2026, 1, 5))
    person.sites.set([SiteFactory(time_zone="America/New_York")])
    offboarding = services.request_termination(
        person, last_day=date(2030, 3, 8), reason="Left", immediate=False, request=hr
    )
    assert offboarding.scheduled_for == datetime(2030, 3, 9, tzinfo=ZoneInfo("America/New_York"))
    assert AuditEntry.objects.get(action="offboarding.scheduled").after["last_day"] == "2030-03-08"
