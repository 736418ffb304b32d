"""WorkTime One's webhook protocol over plain headers and bytes, as the portal's view hands them."""

import json

import pytest

from connectors.webhooks import WebhookRejected
from connectors.worktime.webhooks import WorkTimeWebhooks

PROTOCOL = WorkTimeWebhooks()
BODY = json.dumps({"event": "attendance.clock_in", "data": {"employee_id": "emp_1"}}).encode()


def headers(**overrides):
    given = {
        "X-WorkTime-Secret": "s3cr3t",
        "X-WorkTime-Delivery": "dlv_1",
        "X-WorkTime-Event": "attendance.clock_in",
    }
    given.update(overrides)
    return {k: v for k, v in given.items() if v is not None}


def test_a_genuine_delivery_gives_its_id_event_and_body():
    call = PROTOCOL.authenticate(headers(), BODY, secret="s3cr3t")
    assert (call.delivery_id, call.event) == ("dlv_1", "attendance.clock_in")
    assert call.payload["data"] == {"employee_id": "emp_1"}
    assert PROTOCOL.streams_for(call.event) == ("punches",)


def test_header_names_match_whatever_their_case():
    lower = {k.lower(): v for k, v in headers().items()}
    assert PROTOCOL.authenticate(lower, BODY, secret="s3cr3t").delivery_id == "dlv_1"


def test_the_event_header_may_be_missing_when_the_body_names_it():
    call = PROTOCOL.authenticate(headers(**{"X-WorkTime-Event": None}), BODY, secret="s3cr3t")
    assert call.event == "attendance.clock_in"


@pytest.mark.parametrize(
    ("given", "body", "secret", "status"),
    [
        (headers(**{"X-WorkTime-Secret": "guess"}), BODY, "s3cr3t", 403),
        (headers(), BODY, "", 403),  # no secret saved on the account: nothing is genuine
        (headers(**{"X-WorkTime-Delivery": None}), BODY, "s3cr3t", 400),
        (headers(), b"not json", "s3cr3t", 400),
        (headers(), b"[1, 2]", "s3cr3t", 400),
    ],
)
def test_deliveries_that_are_not_genuine_or_complete_are_refused(given, body, secret, status):
    with pytest.raises(WebhookRejected) as refused:
        PROTOCOL.authenticate(given, body, secret=secret)
    assert refused.value.status == status


def test_events_without_a_stream_pull_nothing():
    assert PROTOCOL.streams_for("penalty.created") == ()
