"""Each role signs in through the real login page and sees only what it may use."""

import pytest
from playwright.sync_api import expect

from tests.portal.core.test_roles import EXPECTED_NAV


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_each_role_signs_in_and_the_navigation_offers_only_its_pages(role, login, screenshot):
    page = login(role)
    nav = page.get_by_role("navigation", name="Main")
    labels = [label.strip() for label in nav.get_by_role("link").all_inner_texts()]
    expected = EXPECTED_NAV[role]
    assert labels == expected
    admin_link = page.get_by_role("link", name="Admin site")
    assert admin_link.count() == (1 if role == "admin" else 0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    screenshot(f"dashboard-{role}")


def test_every_offered_page_opens_with_its_empty_state(login, screenshot):
    page = login("admin")
    for label in EXPECTED_NAV["admin"][1:]:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()
        expect(page.locator(".empty").first).to_be_visible()
        screenshot(f"empty-{label.lower().replace(' ', '-')}")


def test_a_page_outside_the_role_shows_what_is_missing(login, screenshot):
    page = login("hr")
    page.goto("/doors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You don’t have access to this page")
    expect(page.get_by_text("Can view door")).to_be_visible()
    screenshot("forbidden-hr-on-doors")


def test_sign_out_returns_to_the_login_page(login):
    page = login("manager")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Workgate")).to_be_visible()


def test_wrong_password_shows_the_error_on_the_login_page(page, transactional_db, screenshot):
    page.goto("/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    screenshot("login-error")


def test_door_board_shows_alarms_first_and_refreshes_itself(login, screenshot):
    from portal.doors.models import Door
    from tests.factories import VendorAccountFactory

    account = VendorAccountFactory(kind="biostar", options={"login_id": "admin"})
    Door.objects.create(account=account, vendor_id="1", name="Archive", state=Door.State.LOCKED)
    forced = Door.objects.create(
        account=account, vendor_id="2", name="Server room", state=Door.State.LOCKED
    )
    page = login("guard")
    page.goto("/doors/")
    expect(page.locator("#door-board tbody tr").first).to_contain_text("Archive")
    from django.utils import timezone

    forced.state = Door.State.FORCED
    forced.changed_at = timezone.now()  # as the mirror writer does when a state changes
    forced.save()
    # no reload: the board polls and the alarm moves to the top
    expect(page.locator("#door-board tbody tr").first).to_contain_text(
        "Server room", timeout=10_000
    )
    expect(page.locator("#door-board tbody tr").first).to_contain_text("Forced open")
    screenshot("door-board-alarm")
