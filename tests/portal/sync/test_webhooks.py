"""WorkTime One webhooks: verified by the account's secret, stored once, turned into a pull."""

import json

import pytest
from django.urls import reverse

from portal.sync.models import WebhookDelivery
from tests.factories import VendorAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return VendorAccountFactory(
        kind="worktime",
        options={"webhook_token": "tok-abc"},
        credentials={"api_key": "k", "webhook_secret": "s3cr3t"},
    )


def post(client, token="tok-abc", secret="s3cr3t", delivery="dlv_1", event="attendance.clock_in"):
    return client.post(
        reverse("sync:webhook", args=["worktime", token]),
        data=json.dumps({"event": event, "data": {"employee_id": "emp_1"}}),
        content_type="application/json",
        headers={
            "X-WorkTime-Secret": secret,
            "X-WorkTime-Delivery": delivery,
            "X-WorkTime-Event": event,
        },
    )


def test_a_genuine_delivery_is_stored_and_queues_a_targeted_pull(
    client, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client)
    assert response.status_code == 202
    assert WebhookDelivery.objects.get().event == "attendance.clock_in"
    assert len(callbacks) == 1


def test_a_duplicate_delivery_is_acknowledged_and_dropped(
    client, account, django_capture_on_commit_callbacks
):
    post(client)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client)
    assert response.status_code == 200 and response.json()["duplicate"] is True
    assert WebhookDelivery.objects.count() == 1 and callbacks == []


def test_a_wrong_secret_or_address_is_refused(client, account):
    assert post(client, secret="guess").status_code == 403
    assert post(client, token="nope").status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_events_without_a_stream_are_stored_but_pull_nothing(
    client, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert post(client, event="penalty.created").status_code == 202
    assert callbacks == []


def test_a_new_worktime_account_gets_a_webhook_address(client_as):
    client = client_as("admin")
    client.post(
        reverse("sync:account-add"),
        {
            "kind": "worktime",
            "name": "WT",
            "base_url": "https://api.worktime.one/v1",
            "time_zone": "Europe/Berlin",
            "enabled": "on",
            "pull_enabled": "on",
            "secret_api_key": "key-1",
        },
    )
    from portal.sync.models import VendorAccount

    account = VendorAccount.objects.get(name="WT")
    token = account.options["webhook_token"]
    assert len(token) > 20
    page = client.get(reverse("sync:account-edit", args=[account.pk])).content.decode()
    assert reverse("sync:webhook", args=["worktime", token]) in page


def test_the_address_only_answers_for_its_own_vendor_kind(client, account):
    other = reverse("sync:webhook", args=["biotime", "tok-abc"])
    assert client.post(other, data="{}", content_type="application/json").status_code == 404
    biotime = VendorAccountFactory(kind="biotime", options={"webhook_token": "tok-bt"})
    url = reverse("sync:webhook", args=["biotime", biotime.options["webhook_token"]])
    assert client.post(url, data="{}", content_type="application/json").status_code == 404
    assert not WebhookDelivery.objects.exists()


def post_body(client, body: bytes, secret="s3cr3t", delivery="dlv_9", event="employee.updated"):
    return client.post(
        reverse("sync:webhook", args=["worktime", "tok-abc"]),
        data=body,
        content_type="application/json",
        headers={
            "X-WorkTime-Secret": secret,
            "X-WorkTime-Delivery": delivery,
            "X-WorkTime-Event": event,
        },
    )


NOT_AN_OBJECT = [
    b"[1, 2, 3]",
    b'"just a string"',
    b"42",
    b"null",
    b"{not json",
    b"[" * 100_000 + b"]" * 100_000,  # deeper than the parser recurses: a 500 before
    b'{"a": ' * 40 + b"1" + b"}" * 40,  # valid JSON, nested past the limit
]


@pytest.mark.parametrize("body", NOT_AN_OBJECT, ids=range(len(NOT_AN_OBJECT)))
def test_a_body_that_is_not_a_json_object_within_limits_is_a_400(client, account, body):
    client.raise_request_exception = False
    response = post_body(client, body)
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert not WebhookDelivery.objects.exists()


def test_a_body_is_not_read_before_the_secret_is_checked(client, account):
    assert post_body(client, b"[" * 100_000, secret="guess").status_code == 403


def test_a_body_larger_than_the_limit_is_refused(client, account):
    body = json.dumps({"event": "employee.updated", "data": "x" * 300_000}).encode()
    assert post_body(client, body).status_code == 413
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "delivery, event",
    [("d" * 101, "employee.updated"), ("dlv_1", "e" * 65), ("dlv\x00", "employee.updated")],
)
def test_headers_longer_than_what_is_stored_are_refused_not_cut(client, account, delivery, event):
    client.raise_request_exception = False
    response = post_body(client, b'{"event": "employee.updated"}', delivery=delivery, event=event)
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_nul_byte_in_a_delivery_body_is_stored_replaced_on_every_database(client, account):
    body = json.dumps({"event": "employee.updated", "data": {"name": "Ida\x00", "k\x00": 1}})
    assert post_body(client, body.encode()).status_code == 202
    stored = WebhookDelivery.objects.get().payload
    assert stored["data"] == {"name": "Ida\ufffd", "k\ufffd": 1}
