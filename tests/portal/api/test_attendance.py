"""/api/v1/punches/, /timecards/, /timecard-periods/: the timecard pages' corrections and
decisions through the same services, a manager limited to their team as on the pages."""

from datetime import UTC, timedelta

import pytest

from portal.attendance.compute import recompute
from portal.attendance.models import Punch, TimePeriod
from tests.portal.api.twins import audit_trail, last_audit_id
from tests.portal.conftest import MONDAY, ROLE_USERS, local

pytestmark = pytest.mark.django_db
SPAN = {"span": "week", "start": "2026-11-16"}
WEEK = {"start": "2026-11-16", "end": "2026-11-22"}


@pytest.fixture
def team(punched_week):
    """A manager with two reports (Anna forgot to clock out Monday) and a stranger; a week of
    punches from one clock, every day's card computed."""
    account, anna, ben, stranger = punched_week
    days = [(p.pk, MONDAY + timedelta(days=i)) for p in (anna, ben, stranger) for i in range(5)]
    recompute(days, now=local(MONDAY + timedelta(days=7), 12))
    return punched_week


def every_page(api, url, params) -> list[dict]:
    page = api.get(url, params).json()
    rows = list(page["results"])
    while page["next"]:
        page = api.get(page["next"].replace("http://testserver", "")).json()
        rows += page["results"]
    return rows


def test_a_manager_lists_only_their_teams_punches_and_a_strangers_is_404(team, api_as):
    _account, anna, ben, stranger = team
    api = api_as("manager")
    people = {p["person"] for p in every_page(api, "/api/v1/punches/", {"page_size": 3})}
    assert people == {anna.pk, ben.pk}
    theirs = Punch.objects.filter(person=stranger).first()
    assert api.get(f"/api/v1/punches/{theirs.pk}/").status_code == 404
    assert api.post(
        f"/api/v1/punches/{theirs.pk}/void/", {"reason": "x"}, format="json"
    ).status_code == (404)
    assert len(every_page(api_as("hr"), "/api/v1/punches/", {"page_size": 50})) == 29


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_who_reads_and_who_corrects_punches(team, api_as, role):
    _account, _anna, ben, _ = team
    api = api_as(role)
    reads = api.get("/api/v1/punches/")
    assert reads.status_code == (200 if role in ("hr", "manager", "admin") else 403), role
    added = api.post(
        "/api/v1/punches/",
        {"person": ben.pk, "at": "2026-11-17T11:00:00Z", "direction": "out", "reason": "lunch"},
        format="json",
    )
    # the admin sees every team, but only a manager of Ben's (or HR, admin) corrects
    assert added.status_code == (201 if role in ("hr", "manager", "admin") else 403), role


def test_the_cursor_walks_every_punch_once_newest_first_even_through_equal_times(team, api_as):
    account, anna, _ben, _ = team
    for n in range(7):  # the same instant seven times: the id breaks the tie
        Punch.objects.create(
            account=account, vendor_id=f"tie{n}", person=anna, punched_at=local(MONDAY, 12)
        )
    rows = every_page(api_as("hr"), "/api/v1/punches/", {"page_size": 4, "person": anna.pk})
    keys = [(r["punched_at"], r["id"]) for r in rows]
    assert len(rows) == len({r["id"] for r in rows}) == Punch.objects.filter(person=anna).count()
    assert keys == sorted(keys, reverse=True)


def test_punch_filters_by_account_source_and_time_and_refuses_bad_values(team, api_as):
    account, _anna, ben, _ = team
    api = api_as("hr")
    monday = api.get(
        "/api/v1/punches/",
        {
            "person": ben.pk,
            "account": account.pk,
            "source": "vendor",
            "punched_after": local(MONDAY, 0).isoformat(),
            "punched_before": local(MONDAY, 23).isoformat(),
        },
    ).json()["results"]
    assert [p["direction"] for p in monday] == ["out", "in"]
    for bad in ({"person": "x"}, {"account": 999999}, {"cursor": "garbage"}, {"page_size": "0"}):
        response = api.get("/api/v1/punches/", bad)
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == next(iter(bad))


def test_adding_a_punch_audits_as_the_day_panel_does(team, api_as, client_as):
    _account, _anna, ben, _ = team
    start = last_audit_id()
    response = api_as("manager").post(
        "/api/v1/punches/",
        {"person": ben.pk, "at": "2026-11-17T11:00:00Z", "direction": "out", "reason": "lunch"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["source"] == "manual"
    via_api = audit_trail(start)
    start = last_audit_id()
    client_as("manager").post(
        f"/attendance/timecards/people/{ben.pk}/days/2026-11-17/punches/add/",
        {"at": "2026-11-17T12:00", "direction": "out", "reason": "lunch"},
    )
    assert via_api == audit_trail(start) and via_api[0][0] == "timecards.punch_added"


def test_moving_and_voiding_audit_as_the_day_panel_and_a_second_void_is_409(
    team, api_as, client_as
):
    _account, _anna, ben, _ = team
    first, second = Punch.objects.filter(person=ben, direction="in").order_by("punched_at")[:2]
    api = api_as("manager")
    start = last_audit_id()
    voided = api.post(f"/api/v1/punches/{first.pk}/void/", {"reason": "double"}, format="json")
    assert voided.status_code == 200 and voided.json()["voided_at"]
    via_api = audit_trail(start, ignore=("person", "at"))
    start = last_audit_id()
    client_as("manager").post(
        f"/attendance/timecards/people/{ben.pk}/days/2026-11-17/punches/{second.pk}/void/",
        {"reason": "double"},
    )
    assert via_api == audit_trail(start, ignore=("person", "at"))
    again = api.post(f"/api/v1/punches/{first.pk}/void/", {"reason": "x"}, format="json")
    assert again.status_code == 409

    third = Punch.objects.filter(person=ben, voided_at__isnull=True).order_by("punched_at")[0]
    moved = api.post(
        f"/api/v1/punches/{third.pk}/move/",
        {"at": "2026-11-17T06:30:00Z", "reason": "clock was wrong"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["moved_from"] == third.pk
    bad = api.post(f"/api/v1/punches/{moved.json()['id']}/move/", {"at": "x"}, format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"at", "reason"}


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"at": "2026-11-17T11:00:00Z", "direction": "out", "reason": " "}, "reason"),
        ({"at": "yesterday", "direction": "out", "reason": "x"}, "at"),
        ({"at": "2026-11-17T11:00:00Z", "direction": "sideways", "reason": "x"}, "direction"),
    ],
)
def test_bad_punch_input_is_a_400_naming_the_field(team, api_as, sent, field):
    _account, _anna, ben, _ = team
    response = api_as("manager").post("/api/v1/punches/", {"person": ben.pk, **sent}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Punch.objects.filter(source="manual").exists()


def test_approving_locks_the_period_and_corrections_in_it_are_409s(team, api_as, client_as):
    _account, anna, ben, stranger = team
    manager, hr = api_as("manager"), api_as("hr")
    start = last_audit_id()
    approved = manager.post("/api/v1/timecards/approve/", {"person": ben.pk, **WEEK}, format="json")
    assert approved.status_code == 200 and approved.json()["locked"] is True
    via_api = audit_trail(start)
    assert [a for a, *_ in via_api] == ["timecards.period_approved"]

    punch = Punch.objects.filter(person=ben).first()
    for url, body in (
        ("/api/v1/punches/", {"person": ben.pk, "at": "2026-11-17T11:00:00Z", "direction": "out"}),
        (f"/api/v1/punches/{punch.pk}/void/", {}),
        (f"/api/v1/punches/{punch.pk}/move/", {"at": "2026-11-17T06:00:00Z"}),
    ):
        refused = manager.post(url, {**body, "reason": "late"}, format="json")
        assert refused.status_code == 409 and "Reopen the period first" in refused.content.decode()
    rejected = manager.post(
        "/api/v1/timecards/reject/", {"person": ben.pk, **WEEK, "comment": "no"}, format="json"
    )
    assert rejected.status_code == 409

    reopen = {"person": ben.pk, **WEEK, "reason": "Payroll asked"}
    assert manager.post("/api/v1/timecards/reopen/", reopen, format="json").status_code == 403
    reopened = hr.post("/api/v1/timecards/reopen/", reopen, format="json")
    assert reopened.status_code == 200 and reopened.json()[0]["status"] == "open"
    assert hr.post("/api/v1/timecards/reopen/", reopen, format="json").status_code == 409

    start = last_audit_id()  # the grid's button approves the same week: the same entry
    client_as("manager").post(f"/attendance/timecards/people/{ben.pk}/period/approve/", SPAN)
    assert audit_trail(start) == via_api

    missing = manager.post("/api/v1/timecards/approve/", {"person": anna.pk, **WEEK}, format="json")
    assert missing.status_code == 409 and "missing punches" in missing.content.decode()
    other = manager.post(
        "/api/v1/timecards/approve/", {"person": stranger.pk, **WEEK}, format="json"
    )
    assert other.status_code == 404


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"start": "2026-11-16", "end": "2026-12-31"}, "end"),
        ({"start": "2026-11-16", "end": "2026-11-15"}, "end"),
        ({"start": "16.11.2026", "end": "2026-11-22"}, "start"),
        ({**WEEK, "comment": "  "}, "comment"),
    ],
)
def test_bad_period_input_is_a_400(team, api_as, sent, field):
    _account, _anna, ben, _ = team
    response = api_as("manager").post(
        "/api/v1/timecards/reject/", {"comment": "x", "person": ben.pk, **sent}, format="json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not TimePeriod.objects.exists()


def test_timecards_show_figures_and_flags_for_the_team_only(team, api_as):
    _account, anna, ben, _stranger = team
    api = api_as("manager")
    cards = api.get("/api/v1/timecards/", {"start": "2026-11-16", "end": "2026-11-16"}).json()
    by_person = {c["person"]: c for c in cards["results"]}
    assert set(by_person) == {anna.pk, ben.pk}
    assert "missing_out" in by_person[anna.pk]["flags"]
    assert by_person[ben.pk]["worked_minutes"] == 480
    flagged = api.get("/api/v1/timecards/", {"flag": "missing_out"}).json()["results"]
    assert [c["person"] for c in flagged] == [anna.pk]
    assert api_as("security").get("/api/v1/timecards/").status_code == 403
    api.post("/api/v1/timecards/approve/", {"person": ben.pk, **WEEK}, format="json")
    periods = api.get("/api/v1/timecard-periods/", {"status": "approved"}).json()["results"]
    assert [(p["person"], p["decided_by"]) for p in periods] == [(ben.pk, "manager")]


@pytest.mark.parametrize("url", ["/api/v1/punches/", "/api/v1/timecards/"])
def test_a_longer_page_costs_no_more_queries(team, api_as, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as("manager")
    api.get(url)  # the first call of a token also notes when it was last used
    counts = []
    for size in (2, 25):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url, {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_one_persons_punches_are_read_by_days_in_the_order_of_the_whole_walk(team, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account, anna, ben, stranger = team
    midnight = local(MONDAY, 0).astimezone(UTC).replace(hour=0, minute=0)
    for n, at in enumerate(
        [
            midnight - timedelta(days=400),  # a year and more before: many windows back
            midnight - timedelta(days=30, microseconds=1),  # the last instant of a UTC day
            midnight - timedelta(days=30),  # and the first of the next
            *[midnight + timedelta(hours=12)] * 3,  # ties: the id decides
        ]
    ):
        Punch.objects.create(account=account, vendor_id=f"anna{n}", person=anna, punched_at=at)
    Punch.objects.create(  # the table's oldest and newest days are other people's
        account=account, vendor_id="old", person=stranger, punched_at=midnight - timedelta(900)
    )
    Punch.objects.create(
        account=account, vendor_id="new", person=ben, punched_at=midnight + timedelta(days=60)
    )
    api = api_as("hr")
    for person in (anna, ben, stranger):
        expected = list(
            Punch.objects.filter(person=person)
            .order_by("-punched_at", "-pk")
            .values_list("pk", flat=True)
        )
        for size in (1, 4, 100):
            rows = every_page(api, "/api/v1/punches/", {"person": person.pk, "page_size": size})
            assert [row["id"] for row in rows] == expected, (person, size)

    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/punches/", {"person": stranger.pk, "page_size": 5})
    reads = [q["sql"] for q in queries if 'FROM "attendance_punch"' in q["sql"]]
    assert all('"day" IN' in sql or "MIN(" in sql or "MAX(" in sql for sql in reads), reads
    assert len(reads) < 12  # 960 days back through the (day, person) index: a few reads
