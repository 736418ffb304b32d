"""The security desk's pages: board, alarm inbox, event feed, door page, devices."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.doors.alarms import raise_for_state
from portal.doors.models import Alarm, Door, DoorCommand, DoorEvent, DoorStateChange
from tests.factories import (
    DeviceFactory,
    DoorEventFactory,
    DoorFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
    VendorAccountFactory,
)

pytestmark = pytest.mark.django_db

DOOR_TABLES = ("doors_", "devices_")


def door_queries(captured) -> list[str]:
    """Queries of door tables, but not the session's user (it asks "any lockdown?" in passing:
    portal.doors.auth)."""
    return [
        q["sql"]
        for q in captured
        if any(t in q["sql"] for t in DOOR_TABLES) and 'FROM "auth_user"' not in q["sql"]
    ]


# -- roles --------------------------------------------------------------------------------------

URLS = {  # name → (args factory, roles that may open it)
    "doors:door-list": ["guard", "security", "admin"],
    "doors:door-detail": ["guard", "security", "admin"],
    "doors:alarm-list": ["guard", "security", "admin"],
    "doors:event-list": ["guard", "security", "admin"],
    "doors:event-export": ["guard", "security", "admin"],
    "devices:device-list": ["guard", "security", "admin"],
}


@pytest.mark.parametrize("role", ["hr", "guard", "security", "manager", "admin"])
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_every_door_page_opens_for_its_roles_and_refuses_the_others(url_name, role, client_as):
    door = DoorFactory()
    args = [door.pk] if url_name == "doors:door-detail" else []
    response = client_as(role).get(reverse(url_name, args=args))
    assert response.status_code == (200 if role in URLS[url_name] else 403)


@pytest.mark.parametrize("role", ["hr", "guard", "security", "manager", "admin"])
def test_only_door_control_and_administrators_acknowledge_alarms(role, client_as):
    """The guard watches only: acknowledging is acting, as commands are."""
    alarm = Alarm.objects.create(
        kind="forced_open", door=DoorFactory(), raised_at=timezone.now(), source="state"
    )
    response = client_as(role).post(
        reverse("doors:alarm-acknowledge", args=[alarm.pk]), {"comment": "seen"}
    )
    alarm.refresh_from_db()
    allowed = role in ("security", "admin")
    assert response.status_code == (302 if allowed else 403)
    assert alarm.is_open is not allowed


# -- the board ----------------------------------------------------------------------------------


def test_board_groups_by_site_alarms_first_then_offline_and_counts_them(client_as):
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    DoorFactory(name="North lobby", site=north, state="locked")
    DoorFactory(name="North dock", site=north, state="offline")
    forced = DoorFactory(name="South vault", site=south, state="forced")
    raise_for_state(forced, None, timezone.now())
    DoorFactory(name="South gate", site=south, state="unlocked", mode="lockdown")
    DoorFactory(name="Shed", state="locked")

    html = client_as("guard").get(reverse("doors:door-list")).content.decode()

    # South holds the alarm: its group comes first, the vault heads it; "No site" comes last
    order = ["South vault", "South gate", "North dock", "North lobby", "No site", "Shed"]
    positions = [html.index(name) for name in order]
    assert positions == sorted(positions)
    assert "<strong>1</strong> open alarm" in html
    assert "<strong>1</strong> offline" in html
    assert "<strong>1</strong> unlocked or open" in html
    assert "<strong>1</strong> in lockdown" in html
    assert 'hx-sync="this:drop"' in html and 'hx-trigger="every 1s"' in html


def test_board_poll_of_an_unchanged_board_answers_204_after_one_door_query(client_as):
    DoorFactory.create_batch(3)
    client = client_as("guard")
    page = client.get(reverse("doors:door-list"))
    version = page.context["version"]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("doors:door-list"), {"version": version}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 204 and response.content == b""
    assert len(door_queries(captured)) == 1


def test_board_poll_after_a_change_answers_the_board_fragment_and_announces_a_new_alarm(
    client_as,
):
    door = DoorFactory(name="Archive")
    client = client_as("guard")
    version = client.get(reverse("doors:door-list")).context["version"]

    door.state = Door.State.FORCED
    door.save()
    Door.objects.filter(pk=door.pk).update(changed_at=timezone.now() + timedelta(seconds=1))
    alarm = raise_for_state(door, None, timezone.now())

    response = client.get(
        reverse("doors:door-list"), {"version": version, "alarm": 0}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="door-board"')
    assert response.context["version"] != version
    assert 'hx-swap-oob="innerHTML">New alarm: Forced open at Archive' in html
    # the next poll knows that alarm: no news again
    response = client.get(
        reverse("doors:door-list"),
        {"version": version, "alarm": alarm.pk},
        headers={"HX-Request": "true"},
    )
    assert "New alarm" not in response.content.decode()


def test_board_costs_the_same_queries_for_ten_doors_as_for_one(client_as):
    client = client_as("guard")
    DoorEventFactory(person=PersonFactory())
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("doors:door-list"))
    for door in DoorFactory.create_batch(9):
        DoorEventFactory(door=door, person=PersonFactory())
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("doors:door-list"))
    assert len(door_queries(ten)) == len(door_queries(one)) <= 6


def test_board_explains_a_manual_mode_with_the_command_that_set_it(client_as):
    door = DoorFactory(name="Lab", mode="manual_unlock", state="unlocked")
    user = UserFactory(username="sam")
    DoorCommand.objects.create(
        door=door,
        action="unlock",
        reason="Cleaning crew, 2 hours",
        requested_by=user,
        expires_at=timezone.now(),
        status="succeeded",
    )
    html = client_as("guard").get(reverse("doors:door-list")).content.decode()
    assert "sam: Cleaning crew, 2 hours" in html
    assert reverse("doors:door-detail", args=[door.pk]) in html


# -- the door page ------------------------------------------------------------------------------


def test_door_page_shows_state_history_events_and_commands_with_who_why_and_outcome(client_as):
    door = DoorFactory(name="Server room")
    DoorStateChange.objects.create(
        door=door, changed_at=timezone.now(), state_before="locked", state="forced", mode="normal"
    )
    DoorEventFactory(door=door, kind="forced_open", description="Forced open")
    DoorCommand.objects.create(
        door=door,
        action="lock",
        reason="Intruder alarm",
        requested_by=UserFactory(username="desk-anna"),
        expires_at=timezone.now(),
        status="failed",
        error="Door controller did not answer",
    )
    html = client_as("guard").get(reverse("doors:door-detail", args=[door.pk])).content.decode()
    for text in ("Locked → ", "Forced open", "desk-anna", "Intruder alarm", "Failed",
                 "Door controller did not answer"):  # fmt: skip
        assert text in html


def test_door_page_of_an_unknown_door_is_404(client_as):
    assert client_as("guard").get(reverse("doors:door-detail", args=[999999])).status_code == 404


# -- the alarm inbox ----------------------------------------------------------------------------


def test_alarm_inbox_shows_every_open_alarm_paginated_with_the_count(client_as):
    base = timezone.now() - timedelta(hours=2)
    for number in range(60):
        Alarm.objects.create(
            kind="held_open",
            door=DoorFactory(name=f"Door {number:02d}"),
            raised_at=base + timedelta(minutes=number),
            source="state",
        )
    client = client_as("guard")
    first = client.get(reverse("doors:alarm-list")).content.decode()
    assert "60 open alarms." in first and "Open (60)" in first
    assert "Door 00" in first and "Door 59" not in first  # oldest first
    second = client.get(reverse("doors:alarm-list"), {"page": 2}).content.decode()
    assert "Door 59" in second


def test_acknowledging_without_a_comment_says_so_beside_the_field(client_as):
    alarm = Alarm.objects.create(
        kind="tamper", device=DeviceFactory(), raised_at=timezone.now(), source="event"
    )
    response = client_as("security").post(
        reverse("doors:alarm-acknowledge", args=[alarm.pk]),
        {"comment": "  "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form class="ack-form"')
    assert "Say what was found or done" in html and 'aria-invalid="true"' in html
    alarm.refresh_from_db()
    assert alarm.is_open and not AuditEntry.objects.filter(action="alarm.acknowledge").exists()


def test_acknowledged_alarms_are_listed_with_who_when_and_the_comment(client_as):
    alarm = Alarm.objects.create(
        kind="forced_open", door=DoorFactory(), raised_at=timezone.now(), source="state"
    )
    client = client_as("security")
    response = client.post(
        reverse("doors:alarm-acknowledge", args=[alarm.pk]),
        {"comment": "False alarm, sensor loose"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"]
    html = client.get(reverse("doors:alarm-list"), {"show": "acknowledged"}).content.decode()
    assert "False alarm, sensor loose" in html and "security at" in html


# -- the event feed -----------------------------------------------------------------------------


@pytest.fixture
def feed():
    """Thirty events a minute apart at two sites, two kinds, one person."""
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    account = VendorAccountFactory(kind="biostar")
    doors = [DoorFactory(account=account, name="North gate", site=north),
             DoorFactory(account=account, name="South gate", site=south)]  # fmt: skip
    person = PersonFactory(first_name="Mira", last_name="Quell")
    base = timezone.now() - timedelta(hours=1)
    events = [
        DoorEventFactory(
            door=doors[n % 2],
            occurred_at=base + timedelta(minutes=n // 2),  # pairs share a moment: the id decides
            kind="denied" if n % 5 == 0 else "granted",
            person=person if n % 3 == 0 else None,
            method="card",
        )
        for n in range(30)
    ]
    return {"north": north, "doors": doors, "person": person, "events": events, "base": base}


def shown(response) -> list[int]:
    return [event.pk for event in response.context["events"]]


def newest_first(events) -> list[int]:
    return [e.pk for e in sorted(events, key=lambda e: (e.occurred_at, e.pk), reverse=True)]


def test_keyset_pages_walk_every_event_once_newest_first(feed, client_as, monkeypatch):
    monkeypatch.setattr("portal.doors.feed.PAGE_SIZE", 7)
    monkeypatch.setattr("portal.doors.views.events.page_of.__defaults__", (7,))
    client = client_as("guard")
    seen, params = [], {}
    for _ in range(10):
        response = client.get(reverse("doors:event-list"), params)
        seen += shown(response)
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break
        params = {"after": str(cursor)}
    assert seen == newest_first(feed["events"])


@pytest.mark.parametrize(
    "name,params,keep",
    [
        ("site", lambda f: {"site": f["north"].pk}, lambda e, f: e.door.site_id == f["north"].pk),
        ("door", lambda f: {"door": f["doors"][1].pk}, lambda e, f: e.door_id == f["doors"][1].pk),
        ("person", lambda f: {"person": f["person"].pk}, lambda e, f: e.person_id is not None),
        ("kind", lambda f: {"kind": "denied"}, lambda e, f: e.kind == "denied"),
        (
            "search",
            lambda f: {"q": "quell south"},
            lambda e, f: e.person_id is not None and e.door.name == "South gate",
        ),  # fmt: skip
        (
            "range",
            lambda f: {
                "since": (f["base"] + timedelta(minutes=5)).isoformat(),
                "until": (f["base"] + timedelta(minutes=9)).isoformat(),
            },  # fmt: skip
            lambda e, f: (
                f["base"] + timedelta(minutes=5)
                <= e.occurred_at
                <= f["base"] + timedelta(minutes=9)
            ),
        ),
    ],
)
def test_filters_narrow_the_feed(feed, client_as, name, params, keep):
    response = client_as("guard").get(reverse("doors:event-list"), params(feed))
    expected = newest_first(e for e in feed["events"] if keep(e, feed))
    assert expected and shown(response) == expected


def test_bad_filter_values_and_cursors_give_the_unfiltered_first_page(feed, client_as):
    response = client_as("guard").get(
        reverse("doors:event-list"),
        {"site": "x", "kind": "nope", "since": "2026-13-45", "after": "garbage_1"},
    )
    assert response.status_code == 200 and len(shown(response)) == 30


def test_live_poll_answers_204_then_only_the_newer_events_and_the_next_poller(feed, client_as):
    client = client_as("guard")
    newest = client.get(reverse("doors:event-list")).context["newest"]
    poll = {"newer": str(newest)}
    assert (
        client.get(reverse("doors:event-list"), poll, headers={"HX-Request": "true"}).status_code
        == 204
    )

    fresh = DoorEventFactory(door=feed["doors"][0], occurred_at=timezone.now(), kind="denied")
    response = client.get(reverse("doors:event-list"), poll, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="event-{fresh.pk}"')
    assert html.count("<tr") == 1
    assert 'id="event-poll"' in html and 'hx-swap-oob="true"' in html and f"_{fresh.pk}" in html
    assert "1 new event." in html


def test_live_poll_keeps_the_filters(feed, client_as):
    client = client_as("guard")
    poll = {
        "newer": str(client.get(reverse("doors:event-list")).context["newest"]),
        "kind": "granted",
    }
    DoorEventFactory(door=feed["doors"][0], occurred_at=timezone.now(), kind="denied")
    assert (
        client.get(reverse("doors:event-list"), poll, headers={"HX-Request": "true"}).status_code
        == 204
    )


def test_csv_export_streams_the_filtered_range_and_is_audited(feed, client_as):
    response = client_as("guard").get(
        reverse("doors:event-export"), {"door": feed["doors"][0].pk, "kind": "granted"}
    )
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = [e for e in feed["events"] if e.door == feed["doors"][0] and e.kind == "granted"]
    assert rows[0][:3] == ["time", "kind", "door"]
    assert len(rows) == 1 + len(expected)
    assert {row[2] for row in rows[1:]} == {"North gate"} and {row[1] for row in rows[1:]} == {
        "Access granted"
    }
    assert AuditEntry.objects.filter(action="door_events.export").exists()


def test_csv_export_walks_past_its_chunk_size(feed, client_as, monkeypatch):
    monkeypatch.setattr("portal.doors.views.events.EXPORT_CHUNK", 4)
    response = client_as("guard").get(reverse("doors:event-export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 31


def test_csv_cells_a_spreadsheet_would_run_are_kept_as_text(client_as):
    DoorEventFactory(description='=HYPERLINK("http://evil")')
    response = client_as("guard").get(reverse("doors:event-export"))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_feed_links_people_for_those_who_may_see_them(feed, client_as):
    person_url = reverse("people:person-detail", args=[feed["person"].pk])
    assert person_url in client_as("admin").get(reverse("doors:event-list")).content.decode()
    assert person_url not in client_as("guard").get(reverse("doors:event-list")).content.decode()


def test_feed_first_page_query_budget(feed, client_as):
    client = client_as("guard")
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("doors:event-list"), {"site": feed["north"].pk, "q": "gate"})
    assert len(captured) <= 10


# -- devices ------------------------------------------------------------------------------------


def test_devices_page_shows_offline_devices_first_with_their_alarm(client_as):
    site = SiteFactory(name="Depot")
    DeviceFactory(name="Reader up", site=site)
    down = DeviceFactory(name="Reader down", online=False, offline_since=timezone.now())
    Alarm.objects.create(
        kind="device_offline", device=down, raised_at=down.offline_since, source="device"
    )
    html = client_as("guard").get(reverse("devices:device-list")).content.decode()
    assert html.index("Reader down") < html.index("Reader up")
    assert "Open since" in html and "Depot" in html


def test_events_from_the_mirror_keep_their_alarm_free_kinds_quiet():
    """A granted event raises nothing; only forced, held and tamper events do."""
    from portal.doors.alarms import raise_for_events

    event = DoorEventFactory(kind="granted")
    assert raise_for_events(event.account_id, [event.vendor_key]) == 0
    tamper = DoorEventFactory(kind="other", description="Tamper switch opened", door=event.door)
    assert raise_for_events(tamper.account_id, [tamper.vendor_key]) == 1
    assert Alarm.objects.get().kind == "tamper"
    assert DoorEvent.objects.count() == 2
