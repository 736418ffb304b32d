"""The security desk commands a door and locks a site down, in a real browser.

The doors worker's part (sending to the BioStar X simulator, in-process) runs in the test
thread when the page has queued the command, just as the worker would pick the message up.
"""

from datetime import timedelta

from playwright.sync_api import expect

from connectors.biostar.simulator import BioStarSimulator
from connectors.simkit.clock import SimClock
from portal.doors.commands import release_due_unlocks
from portal.doors.models import Door, DoorCommand
from portal.people.models import Site
from portal.sync.door_commands import send_command
from portal.sync.pull import pull_stream
from tests.browser.test_accessibility import axe_violations
from tests.portal.sync.conftest import NOW, wire


def wired_biostar():
    wired = wire("biostar", BioStarSimulator.demo(clock=SimClock(NOW, frozen=True)))
    pull_stream(wired.account.pk, "doors", transport=wired.transport, sleep=lambda s: None)
    north = Site.objects.create(name="North", code="N")
    Door.objects.filter(vendor_id__in=["1", "2", "3"]).update(site=north)
    return wired


def work_the_doors_queue(wired):
    """What the doors worker does: send every queued command, in order."""
    for command in DoorCommand.objects.filter(status="queued").order_by("pk"):
        send_command(command.pk, transport=wired.transport, sleep=lambda s: None)


def test_security_unlocks_a_door_for_a_minute_and_workgate_releases_it(login, screenshot):
    wired = wired_biostar()
    door = Door.objects.get(vendor_id="1")
    page = login("security")
    page.goto("/doors/")
    page.get_by_role("link", name=f"Commands for {door.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(door.name)

    page.get_by_label("Unlock for a while").check()
    page.get_by_label("How long").select_option(label="1 minute")
    expect(page.get_by_label("Reason")).to_have_attribute("required", "")  # mandatory
    page.get_by_label("Reason").fill("Movers carrying desks in")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"Send “Unlock for 1 minute” to {door.name}?")).to_be_visible()
    screenshot("door-command-confirm")
    page.get_by_role("button", name="Yes, send it").click()
    expect(page.locator("#command-result")).to_contain_text("Sending")
    assert wired.simulator.doors[1].manual is None  # nothing sent until the worker runs

    work_the_doors_queue(wired)
    expect(page.locator("#command-result")).to_contain_text(
        "BioStar X accepted “Unlock for a while”"
    )
    expect(page.locator("#command-result")).to_contain_text("now reads Unlocked")
    expect(page.locator("#command-history")).to_contain_text("Done · reads Unlocked")
    screenshot("door-command-sent")
    assert wired.simulator.doors[1].manual == "unlock"

    unlock = DoorCommand.objects.get(action="unlock")
    page.goto("/doors/")
    row = page.get_by_role("row").filter(has_text=door.name)
    expect(row).to_contain_text("Unlocked by security until")
    expect(row.locator(".badge")).to_have_text("Unlocked")
    screenshot("door-board-timed-unlock")

    # the minute passes: the door tick finds the unlock due (a moved clock, not a wait)
    assert release_due_unlocks(now=unlock.unlock_until + timedelta(seconds=1)) == 1
    work_the_doors_queue(wired)
    assert wired.simulator.doors[1].manual is None
    expect(row).not_to_contain_text("Unlocked by", timeout=10_000)  # the board refreshes itself
    expect(row.locator(".badge")).to_have_text("Locked")


def test_a_site_lockdown_shows_its_banner_until_every_door_is_secured(login, screenshot):
    wired = wired_biostar()
    page = login("security")
    page.goto("/doors/lockdown/")
    page.get_by_label("Where").select_option(label="North")
    page.get_by_label("Reason").fill("Intruder reported at the gate")
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Start lockdown").click()
    banner = page.locator("#lockdown-banner")
    expect(banner).to_contain_text("3 doors not yet confirmed secured")
    assert axe_violations(page) == ""

    work_the_doors_queue(wired)
    expect(banner).to_contain_text("Every door confirmed secured", timeout=10_000)  # polled
    page.reload()
    expect(page.get_by_text("3 of 3 doors confirmed secured")).to_be_visible()
    screenshot("door-lockdown")

    page.goto(f"/doors/{Door.objects.get(vendor_id='1').pk}/commands/")
    expect(page.get_by_text("Lockdown of North holds this door")).to_be_visible()
    expect(page.get_by_label("Unlock for a while")).to_have_count(0)
    assert axe_violations(page) == ""
    screenshot("door-command-panel-lockdown")

    page.goto("/doors/lockdown/")
    page.get_by_label("I confirm: release").check()
    page.get_by_role("button", name="End lockdown of North").click()
    expect(page.get_by_text("No lockdown is active.")).to_be_visible()
    expect(page.locator("#lockdown-banner")).to_be_hidden()
    work_the_doors_queue(wired)
    assert [wired.simulator.doors[i].manual for i in (1, 2, 3)] == [None, None, None]
