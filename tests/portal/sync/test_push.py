"""Pushing people to vendors through the outbox, over the BioStar X simulator."""

import httpx
import pytest
from django.db import transaction
from django.utils import timezone

from portal.people import services
from portal.people.forms import PersonForm
from portal.people.models import Person
from portal.sync import push
from portal.sync.models import ExternalLink, OutboxMessage
from portal.sync.pull import pull_stream
from portal.sync.services import retry_message

pytestmark = pytest.mark.django_db


class Request:
    """What the services need of a request: the acting user and where they came from."""

    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def hire(hr, code="90001", **fields):
    data = {
        "employee_code": code,
        "first_name": "Nina",
        "last_name": "Nielsen",
        "email": f"n{code}@example.com",
        "phone": "",
        "hire_date": "2026-11-01",
    } | fields
    form = PersonForm(data)
    assert form.is_valid(), form.errors
    return services.save_person(form, hr)


def drain(wired):
    return push.drain(transport=wired.transport, sleep=lambda s: None)


def time_passes():
    OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).update(
        scheduled_for=timezone.now()
    )


def biostar_user(wired, user_id):
    client = wired.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": wired.simulator.admin_password}
    )
    answer = client.get(
        f"/api/users/{user_id}", headers={"bs-session-id": session.headers["bs-session-id"]}
    )
    return answer.json().get("User")


def test_a_hire_reaches_biostar_and_is_linked(biostar, hr):
    person = hire(hr)
    message = OutboxMessage.objects.get()
    assert (message.account, message.action, message.status) == (
        biostar.account,
        "create",
        "pending",
    )

    assert drain(biostar) == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.vendor_answer["created"] is True
    user = biostar_user(biostar, "90001")
    assert user["name"].startswith("Nina") and user.get("email") == "n90001@example.com"
    assert (
        ExternalLink.objects.get(account=biostar.account, object_id=person.pk).vendor_id == "90001"
    )


def test_a_create_whose_answer_was_lost_is_retried_without_a_second_record(biostar, hr):
    hire(hr)
    biostar.simulator.faults.lost_answers = 1
    biostar.simulator.faults.only_paths = ("/api/users",)
    drain(biostar)
    message = OutboxMessage.objects.get()
    assert (
        message.status == "pending"
        and message.attempts == 1
        and "TransientError" in message.last_error
    )
    biostar.simulator.faults.clear()

    time_passes()
    drain(biostar)
    message.refresh_from_db()
    assert (
        message.status == "sent" and message.vendor_answer["created"] is False
    )  # found, not created again
    created = [p for m, p in biostar.simulator.request_log if m == "POST" and p == "/api/users"]
    assert len(created) == 1


def test_a_push_that_keeps_failing_is_parked_then_retried_from_the_page(biostar, hr):
    hire(hr)
    biostar.simulator.faults.error_burst = 10_000
    for _ in range(push.MAX_ATTEMPTS):
        drain(biostar)
        time_passes()
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == push.MAX_ATTEMPTS
    assert "503" in message.last_error

    biostar.simulator.faults.clear()
    with transaction.atomic():
        retry_message(message, hr)
    drain(biostar)
    message.refresh_from_db()
    assert message.status == "sent"
    assert biostar_user(biostar, "90001") is not None


def test_backoff_grows_and_is_capped():
    delays = [push.next_attempt_delay(n) for n in range(1, 20)]
    assert delays[0] <= push.BACKOFF_BASE and max(delays) <= push.BACKOFF_CAP
    assert push.next_attempt_delay(6) > push.BACKOFF_BASE * 8


def test_an_error_no_retry_can_fix_fails_at_once_with_the_vendors_words(biostar, hr):
    taken = next(
        u for u in biostar.simulator.users.values() if u.email
    )  # BioStar refuses an e-mail in use
    hire(hr, email=taken.email)
    drain(biostar)
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.attempts == 1
    assert message.last_error.startswith(("ValidationError", "NotFoundError", "ConflictError"))


def test_termination_disables_and_expires_the_biostar_user(biostar, hr):
    person = hire(hr)
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(biostar)
    user = biostar_user(biostar, "90001")
    assert user["disabled"] == "true"
    assert OutboxMessage.objects.filter(action="terminate", status="sent").exists()


def test_only_the_newest_change_per_person_is_sent(biostar, hr):
    person = hire(hr)
    drain(biostar)
    for name in ("Nora", "Nele", "Nadia"):
        person.first_name = name
        with transaction.atomic():
            person.save()
            from portal.sync.outbox import enqueue_person

            enqueue_person(person, "update")
    drain(biostar)
    statuses = list(
        OutboxMessage.objects.filter(action="update")
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert statuses == ["superseded", "superseded", "sent"]
    assert biostar_user(biostar, "90001")["name"].startswith("Nadia")


def test_outbox_rows_commit_with_the_change_or_not_at_all(biostar, hr):
    form = PersonForm({"employee_code": "90002", "first_name": "A", "last_name": "B"})
    assert form.is_valid()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.save_person(form, hr)
        raise RuntimeError("the request failed after the save")
    assert not Person.objects.exists() and not OutboxMessage.objects.exists()


def test_a_pull_never_echoes_vendor_changes_back(biostar):
    for stream in ("departments", "people"):
        run = pull_stream(biostar.account.pk, stream, transport=biostar.transport)
        assert run.status == "succeeded", run.error
    assert not OutboxMessage.objects.exists()


def test_a_name_changed_in_biostar_is_shown_as_drift_not_copied(biostar, hr, client_as):
    person = hire(hr)
    drain(biostar)
    client = biostar.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": biostar.simulator.admin_password}
    )
    headers = {"bs-session-id": session.headers["bs-session-id"]}
    answer = client.put(
        "/api/users/90001", json={"User": {"name": "Nina Nyström"}}, headers=headers
    )
    assert answer.status_code == 200, answer.text

    run = pull_stream(biostar.account.pk, "people", transport=biostar.transport)
    assert run.status == "succeeded", run.error
    person.refresh_from_db()
    assert person.last_name == "Nielsen"  # the portal owns the name: not overwritten
    drift = person.drifts.get(field="last_name")
    assert (drift.portal_value, drift.vendor_value) == ("Nielsen", "Nyström")
    html = client_as("hr").get(f"/people/{person.pk}/").content.decode()
    assert "Differs" in html and "Nyström" in html


@pytest.mark.parametrize("kind", ["biotime", "worktime"])
def test_hire_and_termination_reach_biotime_and_worktime_their_way(kind, clock, hr):
    from tests.portal.sync.conftest import demo_simulator, wire

    wired = wire(kind, demo_simulator(kind, clock))
    person = hire(
        hr, code="90077", email="ines.iversen@example.com", first_name="Ines", last_name="Iversen"
    )
    drain(wired)
    message = OutboxMessage.objects.get(action="create")
    assert message.status == "sent", message.last_error
    vendor_id = ExternalLink.objects.get(account=wired.account, object_id=person.pk).vendor_id

    services.terminate_person(person, on=timezone.localdate(), reason="Contract ended", request=hr)
    drain(wired)
    terminate = OutboxMessage.objects.get(action="terminate")
    assert terminate.status == "sent", terminate.last_error

    from portal.sync.connectors import connector_for

    with connector_for(wired.account, transport=wired.transport, sleep=lambda s: None) as connector:
        found = connector.find_person("90077", email="ines.iversen@example.com")
    assert found is not None and found.vendor_id == vendor_id
    assert found.active is False  # BioTime: resigned; WorkTime One: soft-deleted (inactive)


class CountingTransport(httpx.BaseTransport):
    """Passes requests to the simulator and remembers each one's method and path."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner
        self.requests: list[tuple[str, str]] = []

    def handle_request(self, request):
        self.requests.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    @property
    def logins(self) -> int:
        return self.requests.count(("POST", "/api/login"))


def no_sleep(seconds):
    pass


def test_one_login_serves_every_push_of_an_account(biostar, hr):
    for code in ("90031", "90032", "90033"):
        hire(hr, code=code)
    counting = CountingTransport(biostar.transport)

    assert push.drain(transport=counting, sleep=no_sleep) == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert counting.logins == 1
    assert len(counting.requests) > 3  # each push still looked up and created its user


def test_a_pull_and_the_push_after_it_share_one_login(biostar, hr):
    counting = CountingTransport(biostar.transport)
    run = pull_stream(biostar.account.pk, "people", transport=counting, sleep=no_sleep)
    assert run.status == "succeeded", run.error
    assert counting.logins == 1
    pulled = len(counting.requests)

    hire(hr, code="90034")
    assert push.drain(transport=counting, sleep=no_sleep) == 1
    assert OutboxMessage.objects.get().status == "sent"
    assert len(counting.requests) > pulled and counting.logins == 1
