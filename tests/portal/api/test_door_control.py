"""/api/v1/doors/{id}/commands/, /door-commands/, /alarms/, /lockdowns/: the door pages' buttons,
through the same services (same checks, same audit entries, same queue)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.doors.models import Alarm, DoorCommand, Lockdown
from tests.portal.api.twins import audit_trail, last_audit_id
from tests.portal.conftest import ROLE_USERS
from tests.portal.doors.conftest import door, run_command

pytestmark = pytest.mark.django_db

#: ids differ between an API call and its page twin by design
IGNORE = ("command", "lockdown")


def command_url(target) -> str:
    return f"/api/v1/doors/{target.pk}/commands/"


def test_a_command_through_the_api_audits_exactly_as_the_panel(biostar, doors, api_as, client_as):
    target = door(biostar)
    start = last_audit_id()
    response = api_as("security").post(
        command_url(target), {"action": "lock", "reason": "night"}, format="json"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["action"], body["requested_by"]) == ("queued", "lock", "security")
    via_api = audit_trail(start, ignore=IGNORE)
    start = last_audit_id()
    client_as("security").post(
        reverse("doors:door-commands", args=[target.pk]),
        {"action": "lock", "reason": "night", "confirmed": "True"},
    )
    assert via_api == audit_trail(start, ignore=IGNORE)
    assert [a for a, *_ in via_api] == ["door.command.requested"]


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_commanding_needs_door_control_watching_needs_the_desk(biostar, doors, api_as, role):
    api = api_as(role)
    sent = api.post(command_url(door(biostar)), {"action": "lock", "reason": "x"}, format="json")
    assert sent.status_code == (202 if role in ("security", "admin") else 403), role
    assert DoorCommand.objects.count() == (1 if role in ("security", "admin") else 0)
    history = api.get("/api/v1/door-commands/")
    assert history.status_code == (200 if role in ("security", "guard", "admin") else 403), role


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"action": "lock"}, "reason"),
        ({"action": "lock", "reason": "   "}, "reason"),
        ({"action": "unlock", "reason": "movers"}, "minutes"),
        ({"action": "unlock", "reason": "movers", "minutes": 7}, "minutes"),
        ({"action": "melt", "reason": "x"}, "action"),
    ],
)
def test_bad_commands_are_400s_naming_the_field_and_write_nothing(
    biostar, doors, api_as, sent, field
):
    response = api_as("security").post(command_url(door(biostar)), sent, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not DoorCommand.objects.exists()


def test_a_door_whose_vendor_takes_no_commands_is_a_400_on_the_action(worktime_lock, api_as):
    response = api_as("admin").post(
        command_url(worktime_lock), {"action": "open", "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "action"


def test_a_lockdown_refuses_opening_with_409_unless_the_role_may_override(
    biostar, doors, api_as, client_as
):
    target = door(biostar)
    start = last_audit_id()
    started = api_as("security").post(
        "/api/v1/lockdowns/", {"site": target.site_id, "reason": "intruder"}, format="json"
    )
    assert started.status_code == 201 and started.json()["is_active"] is True
    via_api = audit_trail(start, ignore=IGNORE)
    Lockdown.objects.update(ended_at=timezone.now())
    DoorCommand.objects.all().delete()
    start = last_audit_id()
    client_as("security").post(
        reverse("doors:lockdown-start"),
        {"site": target.site_id, "reason": "intruder", "confirm": "on"},
    )
    assert via_api == audit_trail(start, ignore=IGNORE)
    assert via_api[0][0] == "door.lockdown.started"

    queued = DoorCommand.objects.count()
    held = api_as("security").post(
        command_url(target), {"action": "open", "reason": "let in"}, format="json"
    )
    assert held.status_code == 409 and "lockdown holds" in held.json()["errors"][0]["message"]
    assert DoorCommand.objects.count() == queued  # nothing written, nothing sent
    overridden = api_as("admin").post(
        command_url(target), {"action": "open", "reason": "paramedics"}, format="json"
    )
    assert overridden.status_code == 202 and overridden.json()["overrides_lockdown"] is True


def test_ending_a_lockdown_then_ending_it_again_is_a_409(biostar, doors, api_as):
    api = api_as("security")
    lockdown_id = api.post("/api/v1/lockdowns/", {"reason": "drill"}, format="json").json()["id"]
    assert api.get("/api/v1/lockdowns/", {"active": "true"}).json()["results"][0]["id"] == (
        lockdown_id
    )
    ended = api.post(f"/api/v1/lockdowns/{lockdown_id}/end/", {"reason": "over"}, format="json")
    assert ended.status_code == 200 and ended.json()["end_reason"] == "over"
    again = api.post(f"/api/v1/lockdowns/{lockdown_id}/end/", {}, format="json")
    assert again.status_code == 409
    assert api.get("/api/v1/lockdowns/", {"active": "true"}).json()["results"] == []


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_lockdowns_are_started_by_door_control_and_seen_by_the_desk(biostar, doors, api_as, role):
    api = api_as(role)
    started = api.post("/api/v1/lockdowns/", {"reason": "drill"}, format="json")
    assert started.status_code == (201 if role in ("security", "admin") else 403), role
    seen = api.get("/api/v1/lockdowns/")
    assert seen.status_code == (200 if role in ("security", "guard", "admin") else 403), role
    assert api.post("/api/v1/lockdowns/", {}, format="json").status_code in (400, 403)


def test_command_history_walks_by_cursor_and_filters_by_door_and_status(biostar, doors, api_as):
    api = api_as("security")
    first, second = doors[0], doors[1]
    for n in range(5):
        api.post(command_url(first), {"action": "lock", "reason": f"r{n}"}, format="json")
    api.post(command_url(second), {"action": "lock", "reason": "other"}, format="json")
    run_command(biostar, DoorCommand.objects.filter(door=second).get())
    page = api.get("/api/v1/door-commands/", {"page_size": 2, "door": first.pk}).json()
    ids = [c["id"] for c in page["results"]]
    while page["next"]:
        page = api.get(page["next"].replace("http://testserver", "")).json()
        ids += [c["id"] for c in page["results"]]
    assert len(ids) == len(set(ids)) == 5 and ids == sorted(ids, reverse=True)
    done = api.get("/api/v1/door-commands/", {"status": "succeeded"}).json()["results"]
    assert [(c["door"], c["state_after"]) for c in done] == [(second.pk, "locked")]
    assert api.get("/api/v1/door-commands/", {"status": "nope"}).status_code == 400


@pytest.fixture
def alarm(biostar, doors):
    return Alarm.objects.create(
        kind="forced_open", door=door(biostar), raised_at=timezone.now(), source="state"
    )


def test_an_alarm_is_acknowledged_as_on_the_alarm_page(alarm, api_as, client_as, biostar):
    start = last_audit_id()
    api = api_as("security")
    assert [a["id"] for a in api.get("/api/v1/alarms/", {"status": "open"}).json()["results"]] == [
        alarm.pk
    ]
    response = api.post(
        f"/api/v1/alarms/{alarm.pk}/acknowledge/", {"comment": "door shut"}, format="json"
    )
    assert response.status_code == 200 and response.json()["acknowledged_by"] == "security"
    via_api = audit_trail(start)
    twin = Alarm.objects.create(
        kind="forced_open", door=door(biostar), raised_at=timezone.now(), source="state"
    )
    start = last_audit_id()
    client_as("security").post(
        reverse("doors:alarm-acknowledge", args=[twin.pk]), {"comment": "door shut"}
    )
    assert via_api == audit_trail(start) and via_api[0][0] == "alarm.acknowledge"
    assert api.get("/api/v1/alarms/", {"status": "open"}).json()["results"] == []
    assert len(api.get("/api/v1/alarms/", {"status": "acknowledged"}).json()["results"]) == 2
    again = api.post(f"/api/v1/alarms/{alarm.pk}/acknowledge/", {"comment": "x"}, format="json")
    assert again.status_code == 409


def test_an_acknowledgement_needs_a_comment_and_the_door_control_role(alarm, api_as):
    url = f"/api/v1/alarms/{alarm.pk}/acknowledge/"
    blank = api_as("security").post(url, {"comment": " "}, format="json")
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "comment"
    assert api_as("guard").post(url, {"comment": "ok"}, format="json").status_code == 403
    assert api_as("guard").get("/api/v1/alarms/").status_code == 200
    assert api_as("hr").get("/api/v1/alarms/").status_code == 403
    alarm.refresh_from_db()
    assert alarm.is_open


@pytest.mark.parametrize("url", ["/api/v1/door-commands/", "/api/v1/alarms/", "/api/v1/lockdowns/"])
def test_a_longer_page_costs_no_more_queries(biostar, doors, api_as, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as("admin")
    for n, target in enumerate(doors[:4]):
        api.post(command_url(target), {"action": "lock", "reason": "x"}, format="json")
        Alarm.objects.create(
            kind="held_open", door=target, raised_at=timezone.now(), source="state"
        )
        lockdown = api.post("/api/v1/lockdowns/", {"reason": f"drill {n}"}, format="json")
        api.post(f"/api/v1/lockdowns/{lockdown.json()['id']}/end/", {}, format="json")
    api.get(url)  # the first call of a token also notes when it was last used
    counts = []
    for size in (1, 4):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url, {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
