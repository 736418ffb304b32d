"""Punches made at one clock reach the time systems that take punches: once, whatever happens.

BioTime, Zeitstrom and WorkTime One are their demo simulators, each on its own host of one
in-process router, so one drain reaches both targets.
"""

from datetime import datetime, timedelta

import httpx
import pytest

from connectors.simkit.demo_company import build_company
from portal.attendance.models import Punch
from portal.people.models import Person
from portal.sync import punch_outbox
from portal.sync.models import OutboxMessage, VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.push import drain
from tests.portal.sync.conftest import NOW, demo_simulator, wire

pytestmark = pytest.mark.django_db

#: in BioTime, Zeitstrom and WorkTime One alike, with the same code and e-mail everywhere
CODE = "00063"
AT = NOW - timedelta(minutes=30)  # nobody has them checked in yet today
NO_SLEEP = lambda seconds: None  # noqa: E731


class Router(httpx.BaseTransport):
    def __init__(self, by_host):
        self.by_host = by_host

    def handle_request(self, request):
        return self.by_host[request.url.host].handle_request(request)


@pytest.fixture
def world(clock):
    assert {"biotime", "zeitstrom", "worktime"} <= next(
        p.systems for p in build_company().people if p.code == CODE
    )
    wired = {}
    for kind in ("biotime", "zeitstrom", "worktime"):
        wired[kind] = wire(kind, demo_simulator(kind, clock), import_new_people=kind == "biotime")
        VendorAccount.objects.filter(pk=wired[kind].account.pk).update(
            base_url=f"http://{kind}.test" + wired[kind].simulator.base_path
        )
    router = Router({f"{k}.test": w.simulator.transport() for k, w in wired.items()})
    for kind in ("biotime", "zeitstrom", "worktime"):
        run = pull_stream(wired[kind].account.pk, "people", transport=router, sleep=NO_SLEEP)
        assert run.status == "succeeded", run.error
    pull_stream(wired["biotime"].account.pk, "punches", transport=router, sleep=NO_SLEEP)
    # the targets take punches from now on: the history pulled above is not sent
    VendorAccount.objects.filter(kind__in=["zeitstrom", "worktime"]).update(
        receives_punches=True, receives_punches_since=AT - timedelta(minutes=1)
    )
    wired["router"] = router
    return wired


def punch_at_biotime(world, at: datetime, state: int) -> None:
    """Someone punches at terminal 1; the terminal uploads it now."""
    now_ts = int(NOW.timestamp())
    world["biotime"].simulator.add_punch(
        CODE,
        terminal_id=1,
        state=state,
        at_ts=int(at.timestamp()),
        upload_delay=now_ts - int(at.timestamp()),
    )


def pull(world, kind: str, stream: str, full: bool = False):
    run = pull_stream(
        world[kind].account.pk, stream, full=full, transport=world["router"], sleep=NO_SLEEP
    )
    assert run.status == "succeeded", run.error
    return run


def worktime_clocks_at(world, at: datetime):
    sim = world["worktime"].simulator
    return [r for r in sim.attendance.live.by_id.values() if at in (r.clock_in, r.clock_out)]


def test_a_biotime_punch_reaches_zeitstrom_and_worktime_once(world):
    person = Person.objects.get(employee_code=CODE)
    punch_at_biotime(world, AT, state=0)

    pull(world, "biotime", "punches", full=True)  # a late upload: the sweep reads it
    messages = OutboxMessage.objects.filter(record_kind="punch")
    assert {m.account.kind for m in messages} == {"zeitstrom", "worktime"}
    assert all(m.payload["person_id"] == person.pk for m in messages)

    assert drain(transport=world["router"], sleep=NO_SLEEP) == 2
    assert set(messages.values_list("status", flat=True)) == {"sent"}, list(
        messages.values_list("account__kind", "status", "last_error", "attempts", "vendor_answer")
    )
    stamps = world["zeitstrom"].simulator.app_timestamps
    assert [(s.intent, s.time) for s in stamps] == [("checkin", AT)]
    assert len(worktime_clocks_at(world, AT)) == 1

    # read again (incremental and full), and the targets' own copies read back: nothing new
    pull(world, "biotime", "punches")
    pull(world, "biotime", "punches", full=True)
    pull(world, "zeitstrom", "time_cards", full=True)
    pull(world, "worktime", "punches", full=True)
    assert Punch.objects.filter(person=person, punched_at=AT).count() == 3
    assert drain(transport=world["router"], sleep=NO_SLEEP) == 0
    assert messages.count() == 2
    assert len(world["zeitstrom"].simulator.app_timestamps) == 1
    assert len(worktime_clocks_at(world, AT)) == 1


def sent_to(world, kind: str) -> int:
    """How many punches the target recorded from the app or the manual clock."""
    if kind == "zeitstrom":
        return len(world["zeitstrom"].simulator.app_timestamps)
    return len(worktime_clocks_at(world, AT))


@pytest.mark.parametrize(
    "kind, path",
    [("zeitstrom", "/api/v2/devices/app-timestamps/"), ("worktime", "/v1/attendance/clock")],
)
def test_a_retry_after_a_lost_answer_does_not_punch_twice(world, kind, path):
    target = world[kind].simulator
    punch_at_biotime(world, AT, state=0)
    pull(world, "biotime", "punches", full=True)
    target.faults.lost_answers = 1
    target.faults.only_paths = (path,)

    drain(transport=world["router"], sleep=NO_SLEEP)
    message = OutboxMessage.objects.get(record_kind="punch", account__kind=kind)
    assert message.status == "pending" and message.last_error  # it did get through, unheard
    assert sent_to(world, kind) == 1

    OutboxMessage.objects.filter(pk=message.pk).update(scheduled_for=NOW - timedelta(days=30))
    drain(transport=world["router"], sleep=NO_SLEEP)
    message.refresh_from_db()
    assert message.status == "sent" and message.vendor_answer["found_already_recorded"]
    assert sent_to(world, kind) == 1


def test_an_out_waits_for_its_in_and_each_target_gets_them_in_order(world):
    punch_at_biotime(world, AT, state=0)
    punch_at_biotime(world, AT + timedelta(minutes=20), state=1)
    pull(world, "biotime", "punches", full=True)
    zeitstrom = world["zeitstrom"].simulator
    zeitstrom.faults.error_burst = 5  # the check-in fails for now (503, retryable)
    zeitstrom.faults.only_paths = ("/api/v2/devices/app-timestamps/",)

    drain(transport=world["router"], sleep=NO_SLEEP)
    pending = OutboxMessage.objects.filter(account__kind="zeitstrom", status="pending")
    assert pending.count() == 2
    assert "earlier punch" in pending.order_by("id").last().last_error

    zeitstrom.faults.clear()
    for _ in range(3):
        OutboxMessage.objects.filter(status="pending").update(
            scheduled_for=NOW - timedelta(days=30)
        )
        drain(transport=world["router"], sleep=NO_SLEEP)
    assert [s.intent for s in zeitstrom.app_timestamps] == ["checkin", "checkout"]
    assert not OutboxMessage.objects.exclude(status="sent").exists()


def test_an_in_and_its_out_go_in_one_batch(world):
    punch_at_biotime(world, AT, state=0)
    punch_at_biotime(world, AT + timedelta(minutes=20), state=1)
    pull(world, "biotime", "punches", full=True)
    messages = OutboxMessage.objects.filter(record_kind="punch")
    assert messages.count() == 4  # in and out, to Zeitstrom and to WorkTime One

    # the in's answer waits to be recorded with the batch's others (the database still says
    # pending): the out knows it was sent and goes too
    assert drain(transport=world["router"], sleep=NO_SLEEP) == 4
    assert set(messages.values_list("status", flat=True)) == {"sent"}
    zeitstrom = world["zeitstrom"].simulator
    assert [s.intent for s in zeitstrom.app_timestamps] == ["checkin", "checkout"]


def test_punches_are_not_sent_to_a_system_that_does_not_receive_them(world):
    VendorAccount.objects.filter(kind="worktime").update(receives_punches=False)
    punch_at_biotime(world, AT, state=0)
    pull(world, "biotime", "punches", full=True)
    assert [m.account.kind for m in OutboxMessage.objects.filter(record_kind="punch")] == [
        "zeitstrom"
    ]


def test_a_batch_announced_at_once_is_read_a_slice_at_a_time_and_each_punch_goes(
    world, monkeypatch
):
    """A pull announces a batch's new punches together (tens of thousands): they are read a
    slice at a time, and a punch in every slice gets its messages."""
    monkeypatch.setattr(punch_outbox, "PUNCHES_PER_QUERY", 1)
    for minutes, state in ((0, 0), (20, 1), (25, 0)):
        punch_at_biotime(world, AT + timedelta(minutes=minutes), state=state)
    pull(world, "biotime", "punches", full=True)
    messages = OutboxMessage.objects.filter(record_kind="punch")
    assert sorted(messages.values_list("account__kind", "payload__direction")) == sorted(
        (kind, direction) for kind in ("worktime", "zeitstrom") for direction in ("in", "out", "in")
    )
