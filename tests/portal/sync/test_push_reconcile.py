"""A push never ends in a wrong vendor state, whatever happened between the change and the send.

Each test drives the portal's services and the outbox drain against in-process simulators and
checks what the simulator holds at the end.
"""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.people import services
from portal.people.forms import PersonForm
from portal.sync import push
from portal.sync.connectors import connector_for
from portal.sync.models import ExternalLink, OutboxMessage, UnmatchedPerson, VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.services import retry_message
from tests.factories import PersonFactory, link_person_to
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, biostar_user, hire, time_passes

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def no_sleep(seconds):
    pass


def drain(wired, transport=None):
    """Drain the messages of ``wired``'s account only (the others wait, as if paused)."""
    others = VendorAccount.objects.exclude(pk=wired.account.pk).filter(paused_at__isnull=True)
    paused = list(others.values_list("pk", flat=True))
    others.update(paused_at=timezone.now())
    try:
        return push.drain(transport=transport or wired.transport, sleep=no_sleep)
    finally:
        VendorAccount.objects.filter(pk__in=paused).update(paused_at=None)


def edit(hr, person, **fields):
    data = {
        "employee_code": person.employee_code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "hire_date": person.hire_date.isoformat() if person.hire_date else "",
    } | fields
    form = PersonForm(data, instance=person)
    assert form.is_valid(), form.errors
    return services.save_person(form, hr)


def vendor_person(wired, code, email=""):
    """What the vendor holds under ``code``/``email``, read through its connector."""
    with connector_for(wired.account, transport=wired.transport, sleep=no_sleep) as connector:
        return connector.find_person(code, email=email)


def posts(wired, path):
    return [p for m, p in wired.simulator.request_log if m == "POST" and p == path]


class LoseAnswerTo(httpx.BaseTransport):
    """Arms the simulator's lost-answer fault for the first request to ``method path``: the
    vendor carries it out and the connection drops before the answer."""

    def __init__(self, wired, method, path):
        self.inner, self.simulator = wired.transport, wired.simulator
        self.method, self.path, self.armed = method, path, False

    def handle_request(self, request):
        if not self.armed and (request.method, request.url.path) == (self.method, self.path):
            self.armed = True
            self.simulator.faults.lost_answers = 1
            self.simulator.faults.only_paths = (self.path,)
        return self.inner.handle_request(request)


@pytest.fixture
def worktime(db, clock):
    return wire("worktime", demo_simulator("worktime", clock))


@pytest.fixture
def biotime(db, clock):
    return wire("biotime", demo_simulator("biotime", clock))


# -- 1. a create in doubt, then an edit: still one record --------------------------------------


def test_a_lost_create_then_a_code_change_leaves_one_biostar_user(biostar, hr):
    person = hire(hr, code="90001")
    drain(biostar, LoseAnswerTo(biostar, "POST", "/api/users"))
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and "TransientError" in message.last_error
    biostar.simulator.faults.clear()

    edit(hr, person, employee_code="90002")  # BioStar already holds 90001; the portal does not know
    time_passes()
    drain(biostar)

    assert len(posts(biostar, "/api/users")) == 1
    assert biostar_user(biostar, "90002") is None
    assert biostar_user(biostar, "90001")["name"].startswith("Nina")
    link = ExternalLink.objects.get(account=biostar.account, object_id=person.pk)
    assert link.vendor_id == "90001"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) <= {"sent", "superseded"}


def test_a_lost_create_then_an_email_change_leaves_one_worktime_employee(worktime, hr):
    person = hire(hr, code="90003", email="old.address@example.com")
    drain(worktime, LoseAnswerTo(worktime, "POST", "/v1/employees"))
    assert OutboxMessage.objects.get().status == "pending"
    worktime.simulator.faults.clear()

    edit(hr, person, email="new.address@example.com")  # WorkTime finds people by e-mail only
    time_passes()
    drain(worktime)

    assert len(posts(worktime, "/v1/employees")) == 1
    assert vendor_person(worktime, "90003", "old.address@example.com") is None
    found = vendor_person(worktime, "90003", "new.address@example.com")
    assert found is not None and found.active
    link = ExternalLink.objects.get(account=worktime.account, object_id=person.pk)
    assert link.vendor_id == found.vendor_id


# -- 2. whichever message survives, the vendor ends in the portal's state ----------------------


def test_a_rehire_then_an_edit_before_the_drain_reenables_the_biostar_user(biostar, hr):
    person = hire(hr)
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(biostar)
    assert biostar_user(biostar, "90001")["disabled"] == "true"

    services.rehire_person(person, request=hr)
    person.refresh_from_db()
    edit(hr, person, first_name="Nora")  # supersedes the rehire message
    drain(biostar)

    user = biostar_user(biostar, "90001")
    assert user["disabled"] == "false" and user["name"].startswith("Nora")
    assert OutboxMessage.objects.filter(action="rehire", status="superseded").exists()


@pytest.mark.parametrize("kind", ["biotime", "worktime"])
def test_a_rehire_then_an_edit_reinstates_in_biotime_and_worktime(kind, clock, hr):
    wired = wire(kind, demo_simulator(kind, clock))
    person = hire(hr, code="90078", email="ida.ibsen@example.com", first_name="Ida")
    drain(wired)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(wired)
    assert vendor_person(wired, "90078", "ida.ibsen@example.com").active is False

    services.rehire_person(person, request=hr)
    person.refresh_from_db()
    edit(hr, person, last_name="Iversen")
    drain(wired)

    found = vendor_person(wired, "90078", "ida.ibsen@example.com")
    assert found.active is True and found.last_name == "Iversen"


def test_a_termination_then_an_edit_before_the_drain_still_disables(biostar, hr):
    person = hire(hr)
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    person.refresh_from_db()
    edit(hr, person, phone="+49 30 1234")  # supersedes the termination message
    drain(biostar)
    assert biostar_user(biostar, "90001")["disabled"] == "true"


# -- 3. edits never create; a create still owed does ------------------------------------------


def test_edits_and_terminations_never_create_where_the_person_is_not_linked(biostar, hr, clock):
    person = hire(hr, email="only.biostar@example.com")
    drain(biostar)
    worktime = wire("worktime", demo_simulator("worktime", clock))  # connected after the hire

    edit(hr, person, first_name="Nadia")
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    services.rehire_person(person, request=hr)
    drain(worktime)
    drain(biostar)

    assert vendor_person(worktime, "90001", "only.biostar@example.com") is None
    assert posts(worktime, "/v1/employees") == []
    assert not OutboxMessage.objects.filter(account=worktime.account).exists()
    assert biostar_user(biostar, "90001")["name"].startswith("Nadia")


def test_a_create_superseded_by_an_edit_or_a_termination_still_creates(biostar, worktime, hr):
    person = hire(hr, email="new.hire@example.com")
    edit(hr, person, first_name="Nele")
    drain(biostar)
    assert biostar_user(biostar, "90001")["name"].startswith("Nele")

    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(worktime)  # the create, the edit and the termination arrive together
    found = vendor_person(worktime, "90001", "new.hire@example.com")
    assert found is not None and found.first_name == "Nele" and found.active is False


def test_a_parked_create_is_still_owed_after_an_edit(biostar, hr):
    biostar.simulator.faults.error_burst = 10_000
    person = hire(hr)
    for _ in range(push.MAX_ATTEMPTS):
        drain(biostar)
        time_passes()
    assert OutboxMessage.objects.get().status == "failed"
    biostar.simulator.faults.clear()

    edit(hr, person, first_name="Nina-Marie")
    drain(biostar)
    assert biostar_user(biostar, "90001")["name"].startswith("Nina-Marie")
    statuses = dict(OutboxMessage.objects.values_list("action", "status"))
    assert statuses == {"create": "superseded", "update": "sent"}


# -- 4. a person created from the unmatched queue reaches the other systems ------------------


def test_create_as_new_from_the_queue_reaches_the_other_systems_and_links_the_source(
    biostar, worktime, client_as
):
    biostar.account.import_new_people = False
    biostar.account.save()
    run = pull_stream(biostar.account.pk, "people", transport=biostar.transport, sleep=no_sleep)
    assert run.status == "succeeded", run.error
    entry = UnmatchedPerson.objects.filter(account=biostar.account).exclude(email="").first()
    worktime.account.refresh_from_db()
    assert vendor_person(worktime, entry.code, entry.email) is None

    response = client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[entry.pk, "create"]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "HX-Redirect" in response

    link = ExternalLink.objects.get(account=biostar.account, vendor_id=entry.vendor_id)
    assert set(OutboxMessage.objects.values_list("account__kind", "action")) == {
        ("biostar", "create"),
        ("worktime", "create"),
    }
    drain(biostar)
    drain(worktime)
    assert posts(biostar, "/api/users") == []  # linked, not created again
    found = vendor_person(worktime, entry.code, entry.email)
    assert found is not None and found.first_name == entry.first_name
    assert ExternalLink.objects.filter(account=worktime.account, object_id=link.object_id).exists()


# -- 5. the vendor's own administrator is never linked ---------------------------------------


def test_a_person_whose_code_is_the_biostar_administrators_is_parked_not_linked(biostar, hr):
    admin_before = biostar_user(biostar, "1")
    hire(hr, code="1", email="someone.else@example.com")
    drain(biostar)

    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == 1
    assert "administrator" in message.last_error and "another employee code" in message.last_error
    assert not ExternalLink.objects.filter(account=biostar.account).exists()
    assert biostar_user(biostar, "1") == admin_before


# -- the active flag, rate limits, the retry schedule ------------------------------------------


def test_a_new_hire_is_enabled_in_biostar_with_no_end(biostar, hr):
    hire(hr)
    drain(biostar)
    user = biostar_user(biostar, "90001")
    assert user["disabled"] == "false"
    assert not user["expiry_datetime"].startswith(str(timezone.localdate().year))


def test_a_person_terminated_before_the_first_push_is_created_disabled(biostar, hr):
    person = hire(hr)
    services.terminate_person(person, on=timezone.localdate(), reason="No show", request=hr)
    drain(biostar)
    assert biostar_user(biostar, "90001")["disabled"] == "true"
    assert len(posts(biostar, "/api/users")) == 1


def test_a_biostar_429_reschedules_without_counting_an_attempt(biostar, hr):
    hire(hr)
    biostar.simulator.faults.error_burst = 10_000
    biostar.simulator.faults.error_status = 429
    before = timezone.now()
    drain(biostar)
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 0
    assert "RateLimitError" in message.last_error
    assert message.scheduled_for >= before + timedelta(seconds=59)


def test_a_push_meeting_worktimes_spent_budget_waits_for_the_reset(clock, hr):
    simulator = demo_simulator("worktime", clock)
    simulator.add_api_key("wt_free_key", plan="free")
    wired = wire("worktime", simulator)
    wired.account.credentials = {"api_key": "wt_free_key"}
    wired.account.save()
    client = simulator.client(headers={"Authorization": "Bearer wt_free_key"})
    for _ in range(90):  # another integration spent most of the hour's 100 requests
        answer = client.get("/v1/employees", params={"limit": 1})
    reset = datetime.fromtimestamp(int(answer.headers["X-RateLimit-Reset"]), UTC)
    until_reset = (reset - clock.now()).total_seconds()
    hire(hr)

    before = timezone.now()
    drain(wired)
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 0
    assert "RateLimitError" in message.last_error
    waited = (message.scheduled_for - before).total_seconds()
    assert until_reset <= waited <= until_reset + 5


def test_each_retry_waits_within_the_backoff_bounds():
    for attempts in range(1, 16):
        ceiling = min(push.BACKOFF_CAP, push.BACKOFF_BASE * 2 ** (attempts - 1))
        for _ in range(20):
            assert ceiling / 2 <= push.next_attempt_delay(attempts) <= ceiling
    assert push.next_attempt_delay(1) <= timedelta(seconds=5)
    assert push.next_attempt_delay(4) >= timedelta(seconds=20)
    assert push.next_attempt_delay(12) >= timedelta(minutes=15)


def test_failed_sends_follow_the_schedule_and_park_after_max_attempts(biostar, hr):
    hire(hr)
    biostar.simulator.faults.error_burst = 10_000
    for attempt in range(1, push.MAX_ATTEMPTS):
        before = timezone.now()
        drain(biostar)
        message = OutboxMessage.objects.get()
        ceiling = min(push.BACKOFF_CAP, push.BACKOFF_BASE * 2 ** (attempt - 1))
        assert (message.status, message.attempts) == ("pending", attempt)
        waited = message.scheduled_for - before
        assert ceiling / 2 <= waited <= ceiling + timedelta(seconds=2)
        time_passes()
    drain(biostar)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", push.MAX_ATTEMPTS)
    assert "503" in message.last_error

    with transaction.atomic():
        retry_message(message, hr)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.scheduled_for <= timezone.now()


def test_a_create_given_an_id_linked_to_someone_else_fails_saying_why(clock, hr):
    """The vendor hands out an id Workgate still links to another person (a server restored
    from a backup): the message fails with the reason, the old link stays, nothing crashes."""
    wired = wire("biotime", demo_simulator("biotime", clock))
    first = hire(hr, code="90011", email="a90011@example.com")
    drain(wired)
    given = int(ExternalLink.objects.get(account=wired.account, object_id=first.pk).vendor_id)
    left_over = PersonFactory()
    link_person_to(wired.account, left_over, vendor_id=str(given + 1))  # BioTime counts up

    second = hire(hr, code="90012", email="a90012@example.com")
    drain(wired)

    message = OutboxMessage.objects.get(account=wired.account, object_id=second.pk)
    assert message.status == "failed"
    assert f"under id {given + 1}, which Workgate still links to someone else" in (
        message.last_error
    )
    assert ExternalLink.objects.get(account=wired.account, vendor_id=str(given + 1)).object_id == (
        left_over.pk
    )
    assert not ExternalLink.objects.filter(account=wired.account, object_id=second.pk).exists()
