"""Outbound webhooks against a real receiver on loopback: signed, never lost, in order per subject."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from connectors import errors
from portal.api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal.api.webhooks import delivery, signing
from portal.core import notify
from portal.core.models import AuditEntry
from portal.people import services
from portal.people.models import Person
from portal.sync import backoff
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.api.receiver import start_receiver

pytestmark = pytest.mark.django_db

SECRET = "whsec_test-secret"


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(
        name="HR suite",
        url=receiver.url,
        events=list(notify.EVENTS),
        secret={"current": SECRET},
    )


def hire(code="00042", **fields) -> Person:
    return services.create_person(
        request=None, employee_code=code, first_name="Ida", last_name="Iversen", **fields
    )


def rename(person: Person, first_name: str) -> None:
    from portal.people.forms import PersonForm

    form = PersonForm(
        {
            "employee_code": person.employee_code,
            "first_name": first_name,
            "last_name": person.last_name,
        },
        instance=person,
    )
    assert form.is_valid(), form.errors
    services.save_person(form, None)


def test_a_person_change_writes_a_delivery_for_subscribed_endpoints_only(endpoint):
    WebhookEndpoint.objects.create(
        name="doors only", url=endpoint.url, events=["sync_account.failed"]
    )
    WebhookEndpoint.objects.create(
        name="off", url=endpoint.url, events=["person.created"], enabled=False
    )
    person = hire()
    row = WebhookDelivery.objects.get()
    assert (row.endpoint, row.event, row.subject) == (
        endpoint,
        "person.created",
        f"person:{person.pk}",
    )


def test_a_change_that_rolls_back_sends_nothing(endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        hire()
        raise RuntimeError("the change failed after the person was saved")
    assert not WebhookDelivery.objects.exists()


def test_delivery_is_signed_and_carries_id_event_and_timestamp(endpoint, receiver):
    person = hire()
    assert delivery.drain() == 1
    (got,) = receiver.requests
    row = WebhookDelivery.objects.get()
    assert got.id == str(row.delivery_id) == got.payload["id"]
    assert got.headers["Workgate-Event"] == "person.created" == got.payload["event"]
    assert (
        got.payload["data"]["employee_code"] == "00042"
        and got.payload["subject"] == f"person:{person.pk}"
    )
    assert signing.verify(
        SECRET, got.headers["Workgate-Signature"], got.headers["Workgate-Timestamp"], got.body
    )
    assert not signing.verify(
        "whsec_other",
        got.headers["Workgate-Signature"],
        got.headers["Workgate-Timestamp"],
        got.body,
    )
    # a receiver refuses a replay older than five minutes
    assert not signing.verify(
        SECRET,
        got.headers["Workgate-Signature"],
        got.headers["Workgate-Timestamp"],
        got.body,
        now=int(got.headers["Workgate-Timestamp"]) + 301,
    )
    row.refresh_from_db()
    assert row.status == "delivered" and row.last_status_code == 204
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.status_code == 204 and attempt.duration_ms >= 0


def test_a_worker_that_dies_mid_delivery_is_covered_by_a_resend_of_the_same_id(endpoint, receiver):
    hire()
    now = timezone.now()
    # the worker claims the row and sends it, then dies before it records the answer
    row = delivery.claim(now)
    delivery.send(row)
    assert len(receiver.requests) == 1
    # while its claim runs, no other worker sends the row a second time
    assert delivery.drain(now=now + timedelta(seconds=30)) == 0
    assert len(receiver.requests) == 1
    # once the claim lapses the next drain sends it again: the same id and the same body
    assert delivery.drain(now=now + delivery.LEASE + timedelta(seconds=1)) == 1
    first, second = receiver.requests
    assert first.id == second.id and first.body == second.body
    assert [r.id for r in receiver.accepted()] == [str(row.delivery_id)]
    row.refresh_from_db()
    assert row.status == "delivered" and row.attempts == 2


def test_a_receiver_down_for_a_while_gets_every_event_afterwards_in_order(endpoint, receiver):
    ida, max_ = hire("00001"), hire("00002")
    for n in range(4):
        rename(ida, f"Ida{n}")
        rename(max_, f"Max{n}")
    emitted = list(WebhookDelivery.objects.order_by("id").values_list("subject", "delivery_id"))
    receiver.status = 503
    now = timezone.now()
    for _ in range(5):  # five failed rounds: each subject's head retried, nothing behind it sent
        now += timedelta(hours=1)
        assert delivery.drain(now=now) == 0
    assert WebhookDelivery.objects.filter(attempts__gt=0).count() == 2  # only the two heads
    receiver.status = 200
    while WebhookDelivery.objects.exclude(status="delivered").exists():
        now += timedelta(hours=1)
        delivery.drain(now=now)
    got = [(r.payload["subject"], r.id) for r in receiver.accepted()]
    for subject in {s for s, _ in emitted}:
        assert [i for s, i in got if s == subject] == [str(i) for s, i in emitted if s == subject]
    assert len(got) == len(emitted) == 10


def test_backoff_grows_is_capped_and_honours_retry_after(endpoint, receiver):
    assert [delivery.delay_after(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert delivery.delay_after(30) == delivery.BACKOFF_CAP
    hire()
    receiver.status, receiver.extra_headers = 429, {"Retry-After": "600"}
    now = timezone.now()
    delivery.drain(now=now)
    row = WebhookDelivery.objects.get()
    assert row.status == "pending" and row.next_attempt_at == now + timedelta(seconds=600)
    assert row.last_status_code == 429 and row.last_error == "HTTP 429"


def test_after_n_failures_a_delivery_is_parked_holds_its_subject_and_a_retry_sends_all(
    endpoint, receiver, settings, client_as
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    person = hire()
    receiver.status = 500
    now = timezone.now()
    for _ in range(3):
        now += timedelta(hours=2)
        delivery.drain(now=now)
    head = WebhookDelivery.objects.get()
    assert head.status == "parked" and head.attempts == 3
    rename(person, "Ide")  # a later event of the same person waits behind the parked one
    receiver.status = 200
    delivery.drain(now=now + timedelta(hours=2))
    assert receiver.requests == []

    admin = client_as("admin")
    response = admin.post(
        "/admin/api/webhookdelivery/",
        {"action": "retry", "_selected_action": [head.pk]},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="webhook_delivery.retried", object_id=str(head.pk)
    ).exists()
    delivery.drain()
    assert [r.payload["event"] for r in receiver.requests] == ["person.created", "person.changed"]


def test_a_rotated_secret_keeps_signing_during_the_overlap(endpoint, receiver):
    new = signing.new_secret()
    endpoint.secret = signing.rotated(endpoint.secret, new)
    endpoint.save()
    hire()
    delivery.drain()
    (got,) = receiver.requests
    header, stamp = got.headers["Workgate-Signature"], got.headers["Workgate-Timestamp"]
    assert header.count("v1=") == 2
    assert signing.verify(SECRET, header, stamp, got.body) and signing.verify(
        new, header, stamp, got.body
    )
    later = timezone.now() + timedelta(hours=25)
    assert signing.signing_secrets(endpoint.secret, now=later) == [new]


def test_rotating_in_the_admin_is_audited_and_shows_the_new_secret_once(endpoint, client_as):
    response = client_as("admin").post(
        "/admin/api/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret["previous"] == SECRET
    assert endpoint.secret["current"] in response.content.decode()
    entry = AuditEntry.objects.get(action="webhook_endpoint.secret_rotated")
    assert endpoint.secret["current"] not in str(entry.after)


def test_registering_an_endpoint_in_the_admin_is_audited_without_the_secret(client_as, receiver):
    response = client_as("admin").post(
        "/admin/api/webhookendpoint/add/",
        {"name": "Payroll", "url": receiver.url, "events": ["person.created"], "enabled": "on"},
        follow=True,
    )
    created = WebhookEndpoint.objects.get(name="Payroll")
    assert created.secret["current"].startswith("whsec_")
    assert created.secret["current"] in response.content.decode()
    entry = AuditEntry.objects.get(action="admin.webhookendpoint.created")
    assert entry.after["secret"] == "(changed)"


def test_vendor_account_pause_and_recovery_are_events(endpoint, receiver):
    account = VendorAccountFactory()
    backoff.pause_account(account.pk, errors.AuthenticationError("bad password"))
    backoff.resume_account(account.pk)
    delivery.drain()
    assert [r.payload["event"] for r in receiver.requests] == [
        "sync_account.failed",
        "sync_account.recovered",
    ]
    assert receiver.requests[0].payload["data"]["paused_reason"].startswith("AuthenticationError")


def test_an_unknown_event_is_refused_at_the_call():
    with pytest.raises(ValueError, match="unknown event"):
        notify.emit("door.melted", "door:1", {})


def test_terminating_and_rehiring_send_their_own_events(endpoint, receiver):
    person = PersonFactory()
    services.terminate_person(person, on=timezone.localdate(), reason="left", request=None)
    services.rehire_person(person, request=None)
    delivery.drain()
    assert [r.payload["event"] for r in receiver.requests] == [
        "person.terminated",
        "person.rehired",
    ]


def test_the_drain_task_exists_on_the_push_queue_and_is_sent_after_commit(
    endpoint, broker, django_capture_on_commit_callbacks
):
    from portal.api.webhooks import dispatch
    from portal.celery import app as celery_app

    celery_app.loader.import_default_modules()  # what a worker does at start
    assert dispatch.DELIVER_WEBHOOKS in celery_app.tasks
    assert celery_app.amqp.router.route({}, dispatch.DELIVER_WEBHOOKS)["queue"].name == "push"
    with django_capture_on_commit_callbacks(execute=True):
        hire()
        assert broker() == []  # not before the commit
    assert broker() == [(dispatch.DELIVER_WEBHOOKS, (), "push")]
