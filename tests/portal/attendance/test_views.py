"""The manager's timecard pages: grid, day panel, corrections, decisions, exports, and teams."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from portal.attendance.compute import recompute
from portal.attendance.models import Punch, TimeCard, TimePeriod
from portal.core.models import AuditEntry
from tests.portal.conftest import MONDAY, local

pytestmark = pytest.mark.django_db
SPAN = {"span": "week", "start": "2026-11-16"}


@pytest.fixture
def team(client_as, punched_week):
    """A signed-in manager with two reports (one forgot to clock out Monday) and a stranger."""
    client = client_as("manager")
    _, anna, ben, stranger = punched_week
    recompute(
        [(p.pk, MONDAY) for p in (anna, ben, stranger)], now=local(MONDAY + timedelta(days=7), 12)
    )
    return client, anna, ben, stranger


def test_grid_shows_the_team_with_hours_and_flags_in_words(team, django_assert_max_num_queries):
    client, anna, ben, stranger = team
    with django_assert_max_num_queries(10):
        page = client.get("/attendance/timecards/period/", SPAN)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Anna Arndt" in text and "Ben Brandt" in text and "Sara Stranger" not in text
    assert "Missing out" in text and "8:00" in text and "40:00" in text


def test_another_teams_person_is_404_on_every_url(team):
    client, anna, ben, stranger = team
    punch = Punch.objects.filter(person=stranger).first()
    base = f"/attendance/timecards/people/{stranger.pk}"
    day = f"{base}/days/2026-11-16"
    assert client.get(f"{day}/").status_code == 404
    for url in (
        f"{day}/punches/add/",
        f"{day}/punches/{punch.pk}/move/",
        f"{day}/punches/{punch.pk}/void/",
        f"{base}/period/approve/",
        f"{base}/period/reject/",
    ):
        assert (
            client.post(
                url,
                {
                    **SPAN,
                    "reason": "x",
                    "comment": "x",
                    "at": "2026-11-16T17:00",
                    "direction": "out",
                },
            ).status_code
            == 404
        )
    # a punch of another team's person under one's own report's id
    mine = f"/attendance/timecards/people/{anna.pk}/days/2026-11-16/punches/{punch.pk}/void/"
    assert client.post(mine, {"reason": "x"}).status_code == 404
    assert Punch.objects.filter(person=stranger, voided_at__isnull=False).count() == 0
    assert not TimePeriod.objects.filter(person=stranger).exists()


def test_the_manager_adds_the_missing_punch_and_the_card_says_who_and_why(team):
    client, anna, *_ = team
    url = f"/attendance/timecards/people/{anna.pk}/days/2026-11-16/punches/add/?span=week&start=2026-11-16"
    page = client.post(
        url,
        {
            "at": "2026-11-16T16:30",
            "direction": "out",
            "reason": "Forgot to clock out, confirmed by the shift lead",
        },
        HTTP_HX_REQUEST="true",
    )
    text = page.content.decode()
    assert page.status_code == 200 and 'id="day-panel"' in text and 'hx-swap-oob="true"' in text
    assert "Changed by manager because" in text and "Forgot to clock out" in text
    card = TimeCard.objects.get(person=anna, work_date=MONDAY)
    assert card.worked_minutes == 480 and card.flags == ["corrected"]
    assert AuditEntry.objects.filter(action="timecards.punch_added").count() == 1


def test_a_correction_needs_a_reason(team):
    client, anna, *_ = team
    url = f"/attendance/timecards/people/{anna.pk}/days/2026-11-16/punches/add/"
    page = client.post(
        url, {"at": "2026-11-16T16:30", "direction": "out", "reason": " "}, HTTP_HX_REQUEST="true"
    )
    assert "This field is required" in page.content.decode()
    assert not Punch.objects.filter(source="manual").exists()


def test_moving_keeps_the_original_voided_and_pointed_at(team):
    client, _, ben, _ = team
    original = Punch.objects.get(person=ben, punched_at=local(MONDAY, 8))
    url = f"/attendance/timecards/people/{ben.pk}/days/2026-11-16/punches/{original.pk}/move/"
    client.post(url, {"at": "2026-11-16T07:30", "reason": "Clock was wrong"})
    original.refresh_from_db()
    moved = Punch.objects.get(moved_from=original)
    assert original.voided_at and "Clock was wrong" in original.void_reason
    assert moved.punched_at == local(MONDAY, 7, 30) and moved.local_time.endswith("07:30:00")
    assert TimeCard.objects.get(person=ben, work_date=MONDAY).worked_minutes == 510


def test_approval_is_refused_while_a_punch_is_missing_and_bulk_skips_that_row(team):
    client, anna, ben, _ = team
    client.post(f"/attendance/timecards/people/{anna.pk}/period/approve/", SPAN)
    assert not TimePeriod.objects.filter(person=anna, status="approved").exists()
    client.post("/attendance/timecards/period/approve/", SPAN)
    assert TimePeriod.objects.get(person=ben).status == "approved"
    assert not TimePeriod.objects.filter(person=anna, status="approved").exists()
    assert set(TimeCard.objects.filter(person=ben).values_list("status", flat=True)) == {"approved"}
    assert AuditEntry.objects.filter(action="timecards.period_approved").count() == 1


def test_a_locked_period_refuses_corrections_until_reopened(team, client, user_with_role):
    manager, _, ben, _ = team
    manager.post(f"/attendance/timecards/people/{ben.pk}/period/approve/", SPAN)
    url = f"/attendance/timecards/people/{ben.pk}/days/2026-11-17/punches/add/"
    page = manager.post(
        url, {"at": "2026-11-17T12:00", "direction": "out", "reason": "x"}, HTTP_HX_REQUEST="true"
    )
    assert "Reopen the period first" in page.content.decode()
    assert not Punch.objects.filter(source="manual").exists()
    reopen = f"/attendance/timecards/people/{ben.pk}/period/reopen/"
    assert manager.post(reopen, {**SPAN, "reason": "x"}).status_code == 403  # not a manager's
    manager.logout()
    client.force_login(user_with_role("hr"))
    client.post(reopen, {**SPAN, "reason": "Payroll asked"})
    assert TimePeriod.objects.get(person=ben).status == "open"
    assert AuditEntry.objects.filter(action="timecards.period_reopened").count() == 1


def test_rejection_needs_a_comment_and_goes_back_to_open(team):
    client, _, ben, _ = team
    url = f"/attendance/timecards/people/{ben.pk}/period/reject/"
    client.post(url, {**SPAN, "comment": ""})
    assert not TimePeriod.objects.filter(person=ben, status="rejected").exists()
    client.post(url, {**SPAN, "comment": "Tuesday looks too short"})
    period = TimePeriod.objects.get(person=ben)
    assert (period.status, period.comment) == ("rejected", "Tuesday looks too short")
    assert (
        "Tuesday looks too short"
        in client.get("/attendance/timecards/period/", SPAN).content.decode()
    )


def test_exports_hold_approved_days_only_and_are_audited(team):
    client, anna, ben, _ = team
    client.post(f"/attendance/timecards/people/{ben.pk}/period/approve/", SPAN)
    response = client.get("/attendance/timecards/export.csv", SPAN)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Employee code", "Name", "Date", "Worked (min)"]
    assert {r[1] for r in rows[1:]} == {"Ben Brandt"} and len(rows) == 6
    assert rows[1][3] == "480" and rows[1][4] == "30"
    xlsx = client.get("/attendance/timecards/export.xlsx", SPAN)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["B2"].value == "Ben Brandt" and sheet["D2"].value == 480
    assert AuditEntry.objects.filter(action="timecards.exported").count() == 2
    # exporting locks nobody out: the period can still be reopened by HR, cards still shown
    assert client.get("/attendance/timecards/period/", SPAN).status_code == 200


def test_hr_sees_every_team(client_as, team):
    _, anna, ben, stranger = team
    hr = client_as("hr")
    text = hr.get("/attendance/timecards/period/", SPAN).content.decode()
    assert "Sara Stranger" in text and "Anna Arndt" in text
    assert hr.get(f"/attendance/timecards/people/{stranger.pk}/days/2026-11-16/").status_code == 200


def test_bad_period_parameters_fall_back_to_a_week(team):
    client, *_ = team
    for params in ({"start": "2026-13-45"}, {"span": "decade"}, {"start": "\x00"}):
        assert client.get("/attendance/timecards/period/", params).status_code in (200, 400)
