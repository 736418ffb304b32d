"""The security desk in a browser: board, alarm inbox, live updates, the event feed."""

import re
import time

from django.utils import timezone
from playwright.sync_api import expect

from connectors.biostar.simulator import BioStarSimulator
from connectors.biostar.simulator.eventlog import EventLog
from connectors.simkit.clock import SimClock
from portal.doors.alarms import raise_for_state
from portal.doors.models import Alarm, Door
from portal.sync.pull import pull_stream
from tests.factories import DoorEventFactory, DoorFactory, SiteFactory
from tests.portal.sync.conftest import NOW, wire


def pulled_biostar():
    """The demo BioStar, quiet (no past month of activity), pulled once; then door 3 is forced
    open at the vendor and its state and events are pulled again."""
    clock = SimClock(NOW, frozen=True)
    simulator = BioStarSimulator.demo(clock=clock)
    simulator.activity = None
    simulator.events = EventLog(simulator.zone)
    for door in simulator.doors.values():
        door.alarm_flags = 0
        door.open_from = door.open_until = door.relay_until = 0.0
    wired = wire("biostar", simulator)
    SiteFactory(name="Hamburg HQ", code="HAM")

    def pull(*streams):
        for stream in streams:
            run = pull_stream(wired.account.pk, stream, transport=wired.transport)
            assert run.status == "succeeded", run.error

    pull("devices", "doors", "door_state")
    simulator.force_open(int(clock.now().timestamp() * 1000), simulator.doors[3])
    pull("door_state", "door_events")
    return wired


def test_a_forced_door_is_first_on_the_board_and_in_the_inbox_and_is_acknowledged(
    login, screenshot
):
    wired = pulled_biostar()
    forced = Door.objects.get(account=wired.account, vendor_id="3")
    page = login("security")

    page.goto("/doors/")
    first_row = page.locator("#door-board tbody tr").first
    expect(first_row).to_contain_text(forced.name)
    expect(first_row).to_contain_text("Forced open")
    expect(page.locator(".counts")).to_contain_text("1 open alarm")
    screenshot("doors-board")

    page.get_by_role("link", name="1 open alarm").click()
    page.wait_for_url("**/doors/alarms/")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Forced open")
    expect(row).to_contain_text(forced.name)
    screenshot("doors-alarm-inbox")

    row.get_by_role("button", name="Acknowledge").click()  # no comment yet
    expect(page.locator(".field-error")).to_contain_text("Say what was found or done")
    row.get_by_label(f"Comment on forced open at {forced.name}").fill("Guard sent; door shut.")
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Acknowledged")
    expect(page.get_by_text("0 open alarms.")).to_be_visible()
    alarm = Alarm.objects.get(door=forced)
    assert alarm.acknowledged_by.username == "security"
    assert alarm.comment == "Guard sent; door shut."

    page.goto(f"/doors/{forced.pk}/")
    expect(page.get_by_role("heading", name="State history")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Guard sent; door shut.")
    screenshot("doors-door-page")
    page.goto("/devices/")
    screenshot("doors-devices")


def test_a_door_row_changes_within_two_seconds_without_losing_focus_or_stacking_polls(
    login, screenshot
):
    site = SiteFactory(name="Depot")
    watched = DoorFactory(name="Loading bay", site=site)
    yard = DoorFactory(name="Yard gate", site=site)
    page = login("guard")
    polls: list[tuple[str, float, float | None, int | None]] = []
    started: dict[object, int] = {}

    def on_request(request):
        if "/doors/?version=" in request.url:
            started[request] = len(polls)
            polls.append((request.url, time.monotonic(), None, None))

    def on_finished(request):
        if request in started:
            url, begun, _, _ = polls[started[request]]
            response = request.response()
            polls[started[request]] = (url, begun, time.monotonic(), response.status)

    page.on("request", on_request)
    page.on("requestfinished", on_finished)
    page.goto("/doors/")
    details = page.locator(f"#door-{yard.pk}-details")
    details.focus()

    page.wait_for_timeout(3500)  # an unchanged board: polls answered 204, nothing swapped
    nodes_unchanged = page.evaluate("document.getElementsByTagName('*').length")
    page.wait_for_timeout(1500)
    assert page.evaluate("document.getElementsByTagName('*').length") == nodes_unchanged
    Door.objects.filter(pk=watched.pk).update(state=Door.State.HELD_OPEN, changed_at=timezone.now())
    watched.refresh_from_db()
    raise_for_state(watched, None, timezone.now())  # what the mirror writer does on this change
    changed = time.monotonic()
    expect(page.locator(f"#door-{watched.pk}")).to_contain_text("Held open", timeout=2000)
    assert time.monotonic() - changed < 2.0
    # the live region (role=alert) announces the new alarm
    expect(page.locator("#alarm-news")).to_have_text(
        re.compile("New alarm: Held open at Loading bay")
    )
    # the held-open door now heads the board and focus stayed where the person left it
    expect(page.locator("#door-board tbody tr").first).to_contain_text("Loading bay")
    assert page.evaluate("document.activeElement.id") == details.get_attribute("id")
    nodes_before = page.evaluate("document.getElementsByTagName('*').length")
    page.wait_for_timeout(3000)  # polls go on over the changed board
    nodes_after = page.evaluate("document.getElementsByTagName('*').length")
    screenshot("doors-board-live")

    finished = [p for p in polls if p[2] is not None]
    assert 4 <= len(polls) <= 12, polls  # one a second at most over ~8.5 seconds, never more
    assert sum(p[3] == 204 for p in finished) >= len(finished) - 2  # unchanged: nothing to swap
    for earlier, later in zip(finished, finished[1:], strict=False):
        assert earlier[2] <= later[1], "a poll started before the previous one finished"
    assert nodes_after == nodes_before  # the page does not grow as it polls


def test_new_events_appear_at_the_top_of_the_feed_and_filters_apply(login, screenshot):
    north = SiteFactory(name="North")
    gate = DoorFactory(name="North gate", site=north)
    DoorEventFactory(door=gate, kind="granted", description="Card accepted")
    page = login("guard")
    page.goto("/doors/events/")
    expect(page.locator("#event-rows tr")).to_have_count(1)

    fresh = DoorEventFactory(door=gate, kind="denied", description="Card refused")
    expect(page.locator("#event-rows tr").first).to_contain_text("Access denied", timeout=4000)
    expect(page.locator("#event-rows tr")).to_have_count(2)
    assert page.locator("#event-rows tr").first.get_attribute("id") == f"event-{fresh.pk}"
    screenshot("doors-event-feed")

    page.get_by_label("Kind").select_option("granted")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#event-rows tr")).to_have_count(1)
    expect(page.locator("#event-rows")).to_contain_text("Card accepted")
