"""Refused credentials pause the account (no login storms); other failures back a stream off."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.sync import backoff, push
from portal.sync.backoff import PullNotDue
from portal.sync.models import OutboxMessage, SyncCursor, VendorAccount
from portal.sync.outbox import enqueue_person
from portal.sync.pull import pull_stream
from portal.sync.schedules import DEFAULT_EVERY, streams_of
from portal.sync.services import check_connection
from portal.sync.tasks import pull_stream_task
from tests.factories import PersonFactory
from tests.portal.sync.conftest import demo_simulator, wire

pytestmark = pytest.mark.django_db
LOGIN = ("POST", "/jwt-api-token-auth/")


@pytest.fixture
def biotime(clock):
    return wire("biotime", demo_simulator("biotime", clock))


def logins(wired) -> int:
    return sum(1 for entry in wired.simulator.request_log if entry == LOGIN)


def requests(wired) -> int:
    return len(wired.simulator.request_log)


def scheduled_pull(wired, stream):
    """What beat's task does, over the simulator: None when it skipped without calling."""
    try:
        return pull_stream(
            wired.account.pk,
            stream,
            transport=wired.transport,
            sleep=lambda s: None,
            scheduled=True,
        )
    except PullNotDue:
        return None


def break_password(wired):
    wired.account.credentials = {**wired.account.credentials, "password": "wrong-password"}
    wired.account.save()


def edit_form(account, password):
    return {
        "kind": "biotime",
        "name": account.name,
        "base_url": account.base_url,
        "time_zone": account.time_zone,
        "ca_certificate": "",
        "enabled": "on",
        "pull_enabled": "on",
        "push_enabled": "on",
        "option_username": account.options["username"],
        "option_login_kind": account.options.get("login_kind", "jwt"),
        "secret_password": password,
    }


def test_a_wrong_password_costs_one_login_then_scheduled_pulls_call_nobody(biotime, client_as):
    break_password(biotime)
    run = scheduled_pull(biotime, "punches")
    assert run.status == "failed" and "AuthenticationError" in run.error
    assert logins(biotime) == 1
    account = VendorAccount.objects.get()
    assert account.paused_at is not None and "AuthenticationError" in account.paused_reason

    before = requests(biotime)
    for stream in streams_of(account) * 5:
        assert scheduled_pull(biotime, stream) is None
    assert requests(biotime) == before  # not one request, not one login
    # the Celery task a beat tick sends says why it did nothing (and has no transport to use)
    assert pull_stream_task.run(account.pk, "punches").startswith("paused: AuthenticationError")

    # the administrator types the right password: the account resumes on save
    right = biotime.simulator.credentials()["password"]
    client_as("admin").post(
        reverse("sync:account-edit", args=[account.pk]), edit_form(account, right)
    )
    account.refresh_from_db()
    assert account.paused_at is None and account.paused_reason == ""
    assert scheduled_pull(biotime, "punches").status == "succeeded"
    assert logins(biotime) == 2
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "vendor_account.paused",
        "vendor_account.resumed",
        "vendor_account.changed",
    ]


def test_failed_logins_in_an_hour_of_beat_ticks_with_a_wrong_password(biotime):
    """Before: every stream retried every minute or so (~70 failed logins an hour, then a lockout)."""
    break_password(biotime)
    streams = streams_of(biotime.account)
    for second in range(0, 3600, 10):  # beat's ticks over one hour, at each stream's interval
        for stream in streams:
            if second % DEFAULT_EVERY[stream] == 0:
                scheduled_pull(biotime, stream)
    assert logins(biotime) == 1


def test_a_paused_account_stops_its_healthy_twin_from_being_locked_out(biotime, clock):
    """Vendors lock a user after a few bad logins; a second account sharing the user survives."""
    break_password(biotime)
    VendorAccount.objects.filter(pk=biotime.account.pk).update(name="HQ")
    twin = wire("biotime", biotime.simulator)  # the same vendor user, with the right password
    for _ in range(10):
        scheduled_pull(biotime, "punches")
    assert scheduled_pull(twin, "punches").status == "succeeded"


def test_a_passing_connection_test_resumes_and_a_refused_one_pauses(biotime):
    break_password(biotime)
    assert check_connection(biotime.account.pk, transport=biotime.transport) is False
    biotime.account.refresh_from_db()
    assert biotime.account.paused_at is not None  # "Test connection" pauses too

    # the right password arrives by another way than the form (say `manage.py vendor`)
    biotime.account.credentials = {"password": biotime.simulator.credentials()["password"]}
    biotime.account.save()
    biotime.account.refresh_from_db()
    assert biotime.account.paused_at is not None
    assert check_connection(biotime.account.pk, transport=biotime.transport) is True
    biotime.account.refresh_from_db()
    assert biotime.account.paused_at is None
    assert scheduled_pull(biotime, "departments").status == "succeeded"


def test_a_push_refused_for_credentials_pauses_the_account_and_waits_instead_of_failing(
    biotime, client_as
):
    person = PersonFactory()
    with transaction.atomic():
        enqueue_person(person, "create")
    break_password(biotime)
    assert push.drain(transport=biotime.transport, sleep=lambda s: None) == 1
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 0
    assert "AuthenticationError" in message.last_error
    assert VendorAccount.objects.get().paused_at is not None

    before = logins(biotime)
    assert push.drain(transport=biotime.transport, sleep=lambda s: None) == 0  # not even tried
    assert logins(biotime) == before

    biotime.account.credentials = {"password": biotime.simulator.credentials()["password"]}
    biotime.account.save()
    backoff.resume_account(biotime.account.pk)
    assert push.drain(transport=biotime.transport, sleep=lambda s: None) == 1
    message.refresh_from_db()
    assert message.status == "sent", message.last_error


def test_paused_accounts_show_why_on_the_health_page_and_the_dashboard(biotime, client_as):
    break_password(biotime)
    scheduled_pull(biotime, "punches")
    client = client_as("admin")
    health = client.get(reverse("sync:health")).content.decode()
    assert "Paused" in health and "Edit the account" in health
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "biotime test" in dashboard and "paused" in dashboard


def test_backoff_doubles_from_a_minute_to_an_hour():
    delays = [backoff.delay_after(n) for n in range(1, 10)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays[-1] == timedelta(hours=1) and max(delays) == timedelta(hours=1)


def test_a_failing_stream_backs_off_and_success_resets_it(biotime, client_as):
    biotime.simulator.faults.error_burst = 100  # the server answers 503 for a while
    biotime.simulator.faults.only_paths = ("/personnel/api/departments",)
    run = scheduled_pull(biotime, "departments")
    assert run.status == "failed" and "TransientError" in run.error
    cursor = SyncCursor.objects.get(stream="departments")
    assert cursor.failures == 1
    wait = cursor.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < wait <= timedelta(minutes=1)
    assert VendorAccount.objects.get().paused_at is None  # only this stream waits
    health = client_as("admin").get(reverse("sync:health")).content.decode()
    assert f"Backing off: next try {timezone.localtime(cursor.next_attempt_at):%H:%M:%S}" in health

    before = requests(biotime)
    assert scheduled_pull(biotime, "departments") is None  # backing off: no request
    assert requests(biotime) == before
    assert scheduled_pull(biotime, "positions").status == "succeeded"  # other streams go on

    SyncCursor.objects.filter(pk=cursor.pk).update(next_attempt_at=timezone.now())  # a minute on
    assert scheduled_pull(biotime, "departments").status == "failed"
    cursor.refresh_from_db()
    assert cursor.failures == 2
    assert cursor.next_attempt_at - timezone.now() > timedelta(seconds=115)

    biotime.simulator.faults.clear()
    SyncCursor.objects.filter(pk=cursor.pk).update(next_attempt_at=timezone.now())
    assert scheduled_pull(biotime, "departments").status == "succeeded"
    cursor.refresh_from_db()
    assert (cursor.failures, cursor.next_attempt_at) == (0, None)
