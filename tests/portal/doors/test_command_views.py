"""The command panel and lockdown pages: every role against every URL, the two-step command."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.doors.lockdown import start_lockdown
from portal.doors.models import Door, DoorCommand, Lockdown
from tests.portal.conftest import ROLE_USERS
from tests.portal.doors.conftest import door

pytestmark = pytest.mark.django_db

COMMAND = {"action": "lock", "reason": "night", "confirmed": "True"}


def urls(target, command, lockdown):
    """(method, url, data) of every URL this part of the portal adds."""
    return {
        "panel": ("get", reverse("doors:door-commands", args=[target.pk]), None),
        "send": ("post", reverse("doors:door-commands", args=[target.pk]), COMMAND),
        "status": ("get", reverse("doors:command-status", args=[command.pk]), None),
        "lockdown": ("get", reverse("doors:lockdown"), None),
        "start": ("post", reverse("doors:lockdown-start"), {"reason": "x", "confirm": "on"}),
        "end": ("post", reverse("doors:lockdown-end", args=[lockdown.pk]), {"confirm": "on"}),
        "banner": ("get", reverse("doors:lockdown-banner"), None),
    }


#: url -> roles that may use it (the rest get 403)
ALLOWED = {
    "panel": {"security", "guard", "admin"},
    "send": {"security", "admin"},
    "status": {"security", "guard", "admin"},
    "lockdown": {"security", "guard", "admin"},
    "start": {"security", "admin"},
    "end": {"security", "admin"},
    "banner": set(ROLE_USERS),
}


@pytest.fixture
def targets(biostar, doors, user_with_role):
    security = user_with_role("security")
    target = door(biostar)
    command = DoorCommand.objects.create(
        door=target, action="open", reason="r", requested_by=security, expires_at=target_time()
    )
    lockdown = Lockdown.objects.create(site=target.site, reason="drill", started_by=security)
    return target, command, lockdown


def target_time():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_role_against_every_door_url(client, user_with_role, targets, role, name):
    """Forged POSTs are refused like the pages: a refused action never reaches a vendor."""
    user = user_with_role(role) if role != "security" else None
    from django.contrib.auth import get_user_model

    user = user or get_user_model().objects.get(username="security")
    client.force_login(user)
    method, url, data = urls(*targets)[name]
    before = DoorCommand.objects.count(), Lockdown.objects.count()
    response = getattr(client, method)(url, data or {})
    if role in ALLOWED[name]:
        assert response.status_code in (200, 302), (role, name, response.status_code)
    else:
        assert response.status_code == 403, (role, name, response.status_code)
        assert (DoorCommand.objects.count(), Lockdown.objects.count()) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, targets):
    for method, url, data in urls(*targets).values():
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_command_asks_for_a_reason_then_confirmation_then_shows_it_sending(
    biostar, doors, client_as
):
    client = client_as("security")
    url = reverse("doors:door-commands", args=[door(biostar).pk])
    htmx = {"HX-Request": "true"}

    missing = client.post(url, {"action": "unlock", "reason": " "}, headers=htmx).content.decode()
    assert "Say why" in missing and "Choose how long" in missing
    assert not DoorCommand.objects.exists()

    confirm = client.post(
        url, {"action": "unlock", "minutes": "15", "reason": "movers"}, headers=htmx
    ).content.decode()
    assert "Send “Unlock for 15 minutes” to" in confirm and "Yes, send it" in confirm
    assert not DoorCommand.objects.exists()  # nothing until confirmed

    sent = client.post(
        url,
        {"action": "unlock", "minutes": "15", "reason": "movers", "confirmed": "True"},
        headers=htmx,
    ).content.decode()
    command = DoorCommand.objects.get()
    assert (command.action, command.reason, command.requested_by.username) == (
        "unlock",
        "movers",
        "security",
    )
    assert "Sending “Unlock for a while”" in sent
    assert reverse("doors:command-status", args=[command.pk]) in sent  # polls its progress
    assert sent.lstrip().startswith('<section id="command-panel"')


def test_the_status_stops_polling_once_the_vendor_answered(biostar, doors, client_as):
    from tests.portal.doors.conftest import run_command

    client = client_as("security")
    client.post(
        reverse("doors:door-commands", args=[door(biostar).pk]),
        {"action": "lock", "reason": "night", "confirmed": "True"},
    )
    command = DoorCommand.objects.get()
    url = reverse("doors:command-status", args=[command.pk])
    assert "hx-trigger" in client.get(url).content.decode()
    run_command(biostar, command)
    answered = client.get(url).content.decode()
    assert "hx-trigger" not in answered
    assert "BioStar X accepted “Lock until released”" in answered
    assert "now reads <strong>Locked</strong>" in answered


def test_the_guard_sees_the_panel_without_command_buttons(biostar, doors, client_as):
    panel = client_as("guard").get(reverse("doors:door-commands", args=[door(biostar).pk]))
    html = panel.content.decode()
    assert "needs the Door control role" in html
    assert "<form" not in html.split('id="command-panel"')[1]
    board = client_as("guard").get(reverse("doors:door-list")).content.decode()
    assert "Commands for" not in board


def test_the_board_offers_commands_to_door_control(biostar, doors, client_as):
    board = client_as("security").get(reverse("doors:door-list")).content.decode()
    assert f'href="{reverse("doors:door-commands", args=[door(biostar).pk])}"' in board


def test_a_door_whose_vendor_has_no_remote_commands_says_so(worktime_lock, client_as):
    client = client_as("security")
    board = client.get(reverse("doors:door-list")).content.decode()
    assert "No remote commands in WorkTime One" in board
    panel = client.get(reverse("doors:door-commands", args=[worktime_lock.pk])).content.decode()
    assert "WorkTime One’s API offers no remote door commands" in panel
    refused = client.post(
        reverse("doors:door-commands", args=[worktime_lock.pk]), COMMAND
    ).content.decode()
    assert "offers no remote door commands" in refused
    assert not DoorCommand.objects.exists()


def test_the_panel_during_a_lockdown_offers_only_lock_and_clear_alarm(
    biostar, doors, client_as, user_with_role
):
    client = client_as("security")
    start_lockdown(user_with_role("admin"), reason="drill")
    html = client.get(reverse("doors:door-commands", args=[door(biostar).pk])).content.decode()
    assert "Lockdown of every site holds this door" in html
    assert 'value="unlock"' not in html and 'value="lock"' in html
    forged = client.post(
        reverse("doors:door-commands", args=[door(biostar).pk]),
        {"action": "open", "reason": "x", "confirmed": "True"},
    )
    assert not DoorCommand.objects.filter(action="open").exists()
    assert forged.status_code == 200
    assert "Select a valid choice" in forged.content.decode()


def test_lockdown_page_starts_and_ends_one(biostar, doors, client_as):
    client = client_as("security")
    assert 'class="empty"' in client.get(reverse("doors:lockdown")).content.decode()
    unconfirmed = client.post(reverse("doors:lockdown-start"), {"reason": "drill"})
    assert "Tick the box" in unconfirmed.content.decode()
    assert not Lockdown.objects.exists()
    client.post(reverse("doors:lockdown-start"), {"reason": "drill", "confirm": "on"})
    lockdown = Lockdown.objects.get()
    page = client.get(reverse("doors:lockdown")).content.decode()
    assert "0 of 8 doors confirmed secured" in page or "confirmed secured" in page
    client.post(reverse("doors:lockdown-end", args=[lockdown.pk]), {"confirm": "on"})
    lockdown.refresh_from_db()
    assert lockdown.ended_at is not None


def test_any_door_page_can_show_the_panel_with_one_tag(biostar, doors, rf, user_with_role):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = user_with_role("security")
    html = Template("{% load door_commands %}{% door_command_panel door %}").render(
        Context({"door": door(biostar), "user": request.user, "request": request})
    )
    assert 'id="command-panel"' in html and 'value="unlock"' in html


def test_the_board_reads_timed_unlocks_once_not_once_per_row(biostar, doors, client_as):
    client = client_as("security")

    def board():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("doors:door-list"), headers={"HX-Request": "true"})
        return response, len(queries)

    response, few = board()
    assert response.content.decode().count("Commands for") == doors.count()
    for number in range(10):
        Door.objects.create(
            account=biostar.account, vendor_id=f"extra-{number}", name=f"Extra {number}"
        )
    response, many = board()
    assert response.content.decode().count("Commands for") == doors.count()
    assert many == few <= 10
