"""A long read in a forked child: its pages, its errors, its death, and a pull over loopback."""

import os
import signal

import pytest

from connectors import errors
from connectors.simkit.serve import serve
from portal.attendance.models import Punch
from portal.sync import pull as pull_module
from portal.sync.child_reader import ChildReader, ReaderDied
from portal.sync.models import SyncCursor, SyncRun
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import demo_simulator, wire


def test_items_arrive_in_order_and_the_result_after_them():
    def work(send):
        for n in range(50):
            send({"page": n, "pid": os.getpid()})
        return "done"

    reader = ChildReader(work)
    items = list(reader.start())

    assert [item["page"] for item in items] == list(range(50))
    assert {item["pid"] for item in items} == {reader.pid} != {os.getpid()}
    assert reader.result == "done"


def test_an_error_in_the_child_is_raised_after_the_items_sent_before_it():
    def work(send):
        send(1)
        send(2)
        raise errors.RateLimitError("slow down", retry_after=42, status_code=429)

    received = []
    with pytest.raises(errors.RateLimitError) as caught:
        for item in ChildReader(work).start():
            received.append(item)

    assert received == [1, 2]
    assert (caught.value.message, caught.value.retry_after, caught.value.status_code) == (
        "slow down",
        42,
        429,
    )


def test_a_child_killed_mid_read_fails_the_read_after_what_it_sent():
    def work(send):
        send("first")
        os.kill(os.getpid(), signal.SIGKILL)

    received = []
    with pytest.raises(ReaderDied):
        for item in ChildReader(work).start():
            received.append(item)
    assert received == ["first"]


def test_a_caller_that_stops_early_leaves_no_child_behind():
    def work(send):
        while True:
            send("more")

    reader = ChildReader(work)
    items = reader.start()
    assert next(items) == "more"
    items.close()

    with pytest.raises(ChildProcessError):  # killed and reaped: no such child any more
        os.waitpid(reader.pid, os.WNOHANG)


# -- pulls over loopback: no transport, so a full read of a log goes to a child ----------------
@pytest.fixture
def served():
    running = []

    def start(kind, clock):
        simulator = demo_simulator(kind, clock)
        handle = serve(simulator)
        running.append(handle)
        wired = wire(kind, simulator, import_new_people=True)
        wired.account.base_url = handle.base_url + simulator.base_path
        wired.account.save()
        return wired

    yield start
    for handle in running:
        handle.server.shutdown()


@pytest.fixture
def children(monkeypatch):
    """The pids of the child readers the pulls started."""
    started = []

    class Recorded(ChildReader):
        def start(self):
            items = super().start()
            started.append(self.pid)
            return items

    monkeypatch.setattr(pull_module, "ChildReader", Recorded)
    return started


@pytest.mark.django_db(transaction=True)
def test_a_full_punch_pull_reads_in_a_child_and_stores_what_a_thread_would(served, children, clock):
    over_loopback = served("biotime", clock)
    in_process = wire("biotime", over_loopback.simulator, name="in process")
    no_sleep = lambda s: None  # noqa: E731
    pull_stream(over_loopback.account.pk, "people", full=True, sleep=no_sleep)
    pull_stream(
        in_process.account.pk, "people", full=True, transport=in_process.transport, sleep=no_sleep
    )
    assert children == []  # people: a snapshot, stored not read at length

    child_run = pull_stream(over_loopback.account.pk, "punches", full=True, sleep=no_sleep)
    assert len(children) == 1
    run = pull_stream(
        in_process.account.pk,
        "punches",
        full=True,
        transport=in_process.transport,
        sleep=no_sleep,
    )
    assert len(children) == 1  # an in-process transport cannot cross to a child

    assert child_run.status == run.status == SyncRun.Status.SUCCEEDED, child_run.error
    assert (child_run.created, child_run.pages, child_run.fetched) == (
        run.created,
        run.pages,
        run.fetched,
    )
    assert child_run.created > 100

    def stored(wired):
        return sorted(
            Punch.objects.filter(account=wired.account).values_list(
                "vendor_id", "punched_at", "person_id", "device_id", "raw"
            )
        )

    assert stored(over_loopback) == stored(in_process)
    cursors = [
        SyncCursor.objects.get(account=w.account, stream="punches").value
        for w in (over_loopback, in_process)
    ]
    assert cursors[0] == cursors[1] != ""

    again = pull_stream(over_loopback.account.pk, "punches", sleep=no_sleep)
    assert len(children) == 1  # from the cursor: a few minutes of punches, read in a thread
    assert again.status == "succeeded" and again.created == 0


@pytest.mark.django_db(transaction=True)
def test_a_vendor_error_in_the_child_fails_the_run_and_keeps_the_cursor(served, children, clock):
    wired = served("biotime", clock)
    wired.simulator.faults.error_burst = 1_000
    wired.simulator.faults.only_paths = ("/iclock/api/transactions/",)

    run = pull_stream(wired.account.pk, "punches", full=True, sleep=lambda s: None)

    assert len(children) == 1
    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("TransientError:")
    assert not Punch.objects.exists()
    assert not SyncCursor.objects.get(account=wired.account, stream="punches").value


@pytest.mark.django_db(transaction=True)
def test_the_request_budget_the_child_learnt_is_recorded(served, children, clock):
    wired = served("worktime", clock)

    run = pull_stream(wired.account.pk, "punches", full=True, sleep=lambda s: None)

    assert run.status == "succeeded", run.error
    assert len(children) == 1
    wired.account.refresh_from_db()
    assert wired.account.rate_limit["limit"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_reader_killed_mid_pull_fails_the_run_with_its_stored_pages_and_cursor_kept(
    served, monkeypatch, clock
):
    wired = served("biotime", clock)
    wired.account.options = {**wired.account.options, "page_size": 100}
    wired.account.save()

    class DiesAfterTwoPages(ChildReader):
        def __init__(self, work):
            def dying(send):
                sent = []

                def counted(page):
                    if len(sent) == 2:
                        os.kill(os.getpid(), signal.SIGKILL)
                    sent.append(page)
                    send(page)

                return work(counted)

            super().__init__(dying)

    monkeypatch.setattr(pull_module, "ChildReader", DiesAfterTwoPages)

    with pytest.raises(ReaderDied):
        pull_stream(wired.account.pk, "punches", full=True, sleep=lambda s: None, batch_rows=1)

    run = SyncRun.objects.get(account=wired.account, stream="punches")
    assert run.status == SyncRun.Status.FAILED and "internal error" in run.error
    assert run.pages == 2 and Punch.objects.count() == run.created == 200
    assert SyncCursor.objects.get(account=wired.account, stream="punches").value  # page 2's
    assert SyncCursor.objects.get(account=wired.account, stream="punches").lease_owner == ""
