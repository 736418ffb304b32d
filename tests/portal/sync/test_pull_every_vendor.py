"""Every vendor's demo server pulled in full, then again incrementally: nothing doubles."""

import pytest

from connectors.registry import connector_class, kinds
from portal.attendance.models import Punch
from portal.doors.models import DoorEvent
from portal.sync.pull import pull_stream
from portal.sync.schedules import streams_of
from tests.portal.sync.conftest import demo_simulator, wire

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", kinds())  # a vendor added to the registry is covered too
def test_full_then_incremental_pull_of_every_stream(kind, clock):
    wired = wire(kind, demo_simulator(kind, clock), import_new_people=True)
    transport, sleep = wired.transport, (lambda s: None)
    streams = streams_of(wired.account)
    assert set(streams) == set(connector_class(kind).capabilities.reads)

    full = {
        s: pull_stream(wired.account.pk, s, full=True, transport=transport, sleep=sleep)
        for s in streams
    }
    for stream, run in full.items():
        assert run.status == "succeeded", f"{stream}: {run.error}"
    assert sum(run.created for run in full.values()) > 0
    stored = (Punch.objects.count(), DoorEvent.objects.count())

    again = {s: pull_stream(wired.account.pk, s, transport=transport, sleep=sleep) for s in streams}
    for stream, run in again.items():
        assert run.status == "succeeded", f"{stream}: {run.error}"
        assert run.created == 0, f"{stream} created {run.created} on a re-read of unchanged data"
    assert (Punch.objects.count(), DoorEvent.objects.count()) == stored
