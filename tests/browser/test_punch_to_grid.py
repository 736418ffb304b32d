"""A punch made at a BioTime terminal reaches the manager's grid and the Zeitstrom simulator.

The BioTime and Zeitstrom demo simulators answer in-process on their own hosts; the test thread
does what the workers would: pull BioTime's punches, build the timecards of the days the pull
marked, then drain the push outbox.
"""

from datetime import timedelta

from playwright.sync_api import expect

from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import DEMO_TEAM_LEAD
from portal.attendance.dirty import recompute_dirty_days
from portal.attendance.models import Punch
from portal.people.models import Person
from portal.sync.models import OutboxMessage, VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.push import drain
from tests.portal.sync.conftest import NOW, demo_simulator, wire
from tests.portal.sync.test_punch_push import NO_SLEEP, Router

#: Samir Lange of the demo manager's team: badged in BioTime, a Zeitstrom employee
CODE = "00193"
AT = NOW - timedelta(minutes=30)  # 10:00 in Bremen, Wednesday 18 November 2026
WEEK = "/attendance/timecards/period/?span=week&start=2026-11-16"


def pull(world, kind, stream, **kwargs):
    run = pull_stream(
        world[kind].account.pk, stream, transport=world["router"], sleep=NO_SLEEP, **kwargs
    )
    assert run.status == "succeeded", run.error


def test_a_biotime_terminal_punch_reaches_the_managers_grid_and_zeitstrom(login, screenshot):
    page = login("manager")
    from django.contrib.auth import get_user_model

    clock = SimClock(NOW, frozen=True)
    world = {}
    for kind in ("biotime", "zeitstrom"):
        world[kind] = wire(kind, demo_simulator(kind, clock), import_new_people=kind == "biotime")
        VendorAccount.objects.filter(pk=world[kind].account.pk).update(
            base_url=f"http://{kind}.test" + world[kind].simulator.base_path
        )
    world["router"] = Router({f"{k}.test": w.simulator.transport() for k, w in world.items()})
    pull(world, "biotime", "people")
    pull(world, "zeitstrom", "people")
    pull(world, "biotime", "punches")
    VendorAccount.objects.filter(kind="zeitstrom").update(
        receives_punches=True, receives_punches_since=AT - timedelta(minutes=1)
    )
    lead = Person.objects.get(employee_code=DEMO_TEAM_LEAD)
    lead.user = get_user_model().objects.get(username="manager")
    lead.save(update_fields=["user"])
    Person.objects.filter(employee_code=CODE).update(manager=lead)

    # Samir holds a finger to a terminal at 10:00; it uploads now, with the rest of the morning
    world["biotime"].simulator.add_punch(
        CODE,
        terminal_id=1,
        state=0,
        at_ts=int(AT.timestamp()),
        upload_delay=int((NOW - AT).total_seconds()),
    )
    pull(world, "biotime", "punches", full=True)
    samir = Person.objects.get(employee_code=CODE)
    assert Punch.objects.filter(person=samir, punched_at=AT).exists()
    assert recompute_dirty_days() > 0  # the task a worker runs after each pull
    assert drain(transport=world["router"], sleep=NO_SLEEP) >= 1
    sent = OutboxMessage.objects.filter(record_kind="punch", account__kind="zeitstrom")
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    stamps = world["zeitstrom"].simulator.app_timestamps
    assert ("checkin", AT) in [(s.intent, s.time) for s in stamps]

    page.goto(WEEK)
    row = page.get_by_role("row", name=samir.full_name)
    expect(row).to_be_visible()
    row.get_by_role("link", name="Wednesday 18 November").click()
    panel = page.locator("#day-panel")
    expect(panel.get_by_role("heading", level=2)).to_contain_text(
        f"{samir.full_name}, Wednesday 18 November 2026"
    )
    punch_row = panel.get_by_role("row", name="Wed 10:00:00")
    expect(punch_row).to_contain_text("In")
    expect(punch_row).to_contain_text("biotime test")
    screenshot("timecards-biotime-punch-on-grid")
