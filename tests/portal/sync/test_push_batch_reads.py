"""A batch of person messages reads the vendor's records together: BioTime's resignation list
once per batch, not once per person; a server without the resignation API still takes them."""

import pytest

from connectors.biotime.simulator import BioTimeQuirks, BioTimeSimulator
from portal.sync.models import ExternalLink, OutboxMessage
from tests.portal.sync.conftest import wire
from tests.portal.sync.test_push import Request, hire
from tests.portal.sync.test_push_reconcile import drain, edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def resign_reads(wired) -> int:
    return sum(
        1 for m, path in wired.simulator.request_log if m == "GET" and path.endswith("/resigns/")
    )


def hire_linked(hr, wired, count):
    people = [hire(hr, code=f"9100{n}", email=f"batch{n}@example.com") for n in range(count)]
    drain(wired)
    assert ExternalLink.objects.filter(account=wired.account).count() == count
    return people


def test_a_batch_of_biotime_edits_reads_the_resignations_once(clock, hr):
    biotime = wire("biotime", BioTimeSimulator.demo(clock=clock, history_days=1))
    people = hire_linked(hr, biotime, 4)
    left_there = ExternalLink.objects.get(account=biotime.account, object_id=people[0].pk)
    biotime.simulator.directory.add_resign(int(left_there.vendor_id), "2026-11-10")
    biotime.simulator.request_log.clear()

    for person in people:
        edit(hr, person, last_name="Edited")
    drain(biotime)

    # the new connector's probe, the batch's one list, the rehire's read of what to reinstate
    assert resign_reads(biotime) == 3
    employees = biotime.simulator.directory.employees
    for person in people:
        link = ExternalLink.objects.get(account=biotime.account, object_id=person.pk)
        assert employees[int(link.vendor_id)].last_name == "Edited"
    # the batch's list showed the resignation: active in the portal, so reinstated there
    assert int(left_there.vendor_id) not in biotime.simulator.directory.resigned_ids()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_biotime_80_server_without_resignations_takes_a_batch_of_edits(clock, hr):
    simulator = BioTimeSimulator.demo(clock=clock, history_days=1, quirks=BioTimeQuirks.build_80())
    biotime = wire("biotime", simulator)
    people = hire_linked(hr, biotime, 3)

    for person in people:
        edit(hr, person, first_name="Edited")
    drain(biotime)

    employees = simulator.directory.employees
    for person in people:
        link = ExternalLink.objects.get(account=biotime.account, object_id=person.pk)
        assert employees[int(link.vendor_id)].first_name == "Edited"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_batch_of_biostar_edits_is_one_list_read_and_a_write_each(biostar, hr):
    people = hire_linked(hr, biostar, 2)
    user_ids = sorted(
        ExternalLink.objects.filter(account=biostar.account).values_list("vendor_id", flat=True)
    )
    biostar.simulator.request_log.clear()

    for person in people:
        edit(hr, person, last_name="Edited")
    drain(biostar)

    on_users = [
        (m, path.split("?")[0])
        for m, path in biostar.simulator.request_log
        if path.startswith("/api/users")
    ]
    # the demo's users fit one page of the list, whose rows also answer the writes'
    # system-account check: no GET of each user
    assert sorted(on_users) == [
        ("GET", "/api/users"),
        *[("PUT", f"/api/users/{user_id}") for user_id in user_ids],
    ]
    users = biostar.simulator.users
    assert [users[user_id].name.endswith("Edited") for user_id in user_ids] == [True, True]
