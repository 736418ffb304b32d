"""The door, lockdown, timecard and offboarding events reach a real receiver on loopback, signed,
announced by the domain services (so a page, the API and a worker all send them)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.api.models import WebhookEndpoint
from portal.api.webhooks import delivery, signing
from portal.attendance import services as timecards
from portal.core import notify
from portal.doors import alarms
from portal.doors.commands import expire_unsent, request_command
from portal.doors.models import Alarm, DoorCommand
from portal.people import services as people
from tests.factories import PersonFactory
from tests.portal.api.receiver import start_receiver
from tests.portal.doors.conftest import door, run_command
from tests.portal.sync.test_push import Request, hire
from tests.portal.sync.test_push_reconcile import drain

pytestmark = pytest.mark.django_db

SECRET = "whsec_events"


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    WebhookEndpoint.objects.create(
        name="SOC", url=receiver.url, events=list(notify.EVENTS), secret={"current": SECRET}
    )
    yield receiver
    server.shutdown()
    server.server_close()


def delivered(receiver) -> list[tuple[str, str, dict]]:
    delivery.drain()
    for got in receiver.requests:
        assert signing.verify(
            SECRET, got.headers["Workgate-Signature"], got.headers["Workgate-Timestamp"], got.body
        )
    return [
        (r.payload["event"], r.payload["subject"], r.payload["data"]) for r in receiver.requests
    ]


def test_an_alarm_raised_then_acknowledged_arrives_in_that_order(
    biostar, doors, receiver, user_with_role
):
    target = door(biostar)
    target.state = "forced"
    alarm = alarms.raise_for_state(target, None, timezone.now())
    alarms.acknowledge(alarm, user_with_role("security"), "Door shut again")
    events = delivered(receiver)
    assert [(e, s) for e, s, _ in events] == [
        ("door_alarm.raised", f"alarm:{alarm.pk}"),
        ("door_alarm.acknowledged", f"alarm:{alarm.pk}"),
    ]
    raised, acknowledged = events[0][2], events[1][2]
    assert (raised["kind"], raised["door"], raised["acknowledged_at"]) == (
        "forced_open",
        target.pk,
        None,
    )
    assert (acknowledged["acknowledged_by"], acknowledged["comment"]) == (
        "security",
        "Door shut again",
    )


def test_a_second_raise_of_an_open_alarm_sends_nothing(biostar, doors, receiver):
    target = door(biostar)
    target.state = "forced"
    alarms.raise_for_state(target, None, timezone.now())
    alarms.raise_for_state(target, None, timezone.now())  # still open: no second alarm
    assert [e for e, *_ in delivered(receiver)] == ["door_alarm.raised"]
    assert Alarm.objects.count() == 1


def test_a_command_finishes_with_its_outcome_once_the_worker_has_the_answer(
    biostar, doors, receiver, user_with_role
):
    security = user_with_role("security")
    target = door(biostar)
    command = request_command(target, "lock", "night", security)
    assert delivered(receiver) == []  # queued is not finished
    run_command(biostar, command)
    late = request_command(target, "lock", "again", security)
    assert expire_unsent(now=timezone.now() + timedelta(minutes=1)) == 1
    events = delivered(receiver)
    assert [(e, s, d["id"], d["status"]) for e, s, d in events] == [
        ("door_command.finished", f"door:{target.pk}", command.pk, "succeeded"),
        ("door_command.finished", f"door:{target.pk}", late.pk, "expired"),
    ]
    assert events[0][2]["state_after"] == "locked"
    assert DoorCommand.objects.get(pk=command.pk).status == "succeeded"


def test_a_lockdown_started_and_ended_through_the_api(biostar, doors, receiver, api_as):
    api = api_as("security")
    lockdown = api.post("/api/v1/lockdowns/", {"reason": "intruder"}, format="json").json()
    api.post(f"/api/v1/lockdowns/{lockdown['id']}/end/", {"reason": "clear"}, format="json")
    events = delivered(receiver)
    assert [(e, s) for e, s, _ in events] == [
        ("lockdown.started", f"lockdown:{lockdown['id']}"),
        ("lockdown.ended", f"lockdown:{lockdown['id']}"),
    ]
    assert (events[1][2]["scope"], events[1][2]["end_reason"]) == ("every site", "clear")


def test_an_approved_period_is_announced_once_with_its_totals(receiver, user_with_role):
    person = PersonFactory()
    hr = user_with_role("hr")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    sunday = monday + timedelta(days=6)
    period = timecards.approve_period(hr, person, monday, sunday)
    timecards.approve_period(hr, person, monday, sunday)  # already approved: nothing new
    events = delivered(receiver)
    assert [(e, s) for e, s, _ in events] == [("timecard_period.approved", f"person:{person.pk}")]
    data = events[0][2]
    assert (data["id"], data["start"], data["end"], data["decided_by"]) == (
        period.pk,
        monday.isoformat(),
        sunday.isoformat(),
        "hr",
    )
    assert data["worked_minutes"] == 0 and data["employee_code"] == person.employee_code


def test_offboarding_is_confirmed_once_every_system_read_back_access_gone(
    biostar, receiver, user_with_role
):
    hr = Request(user_with_role("hr"))
    person = hire(hr, code="90077")
    drain(biostar)
    people.request_termination(
        person, last_day=timezone.localdate(), reason="left", immediate=True, request=hr
    )
    assert "offboarding.confirmed" not in [e for e, *_ in delivered(receiver)]
    drain(biostar)  # the vendor disables the user; the read-back confirms it
    events = [(e, s, d) for e, s, d in delivered(receiver) if e == "offboarding.confirmed"]
    assert len(events) == 1
    _, subject, data = events[0]
    assert subject == f"person:{person.pk}" and data["employee_code"] == "90077"
    assert [s["name"] for s in data["systems"]] == [biostar.account.name]
