"""/api/v1/shifts/, /shift-assignments/, /holidays/: read by whoever sees timecards, written by
administrators with the admin's audit entries."""

import pytest

from portal.attendance.models import PublicHoliday, ShiftAssignment, ShiftPattern
from portal.core.models import AuditEntry
from tests.factories import PersonFactory, SiteFactory
from tests.portal.api.twins import audit_trail, last_audit_id
from tests.portal.conftest import ROLE_USERS

pytestmark = pytest.mark.django_db

SHIFT = {
    "start": "08:00:00",
    "end": "16:30:00",
    "work_days": [0, 1, 2, 3, 4],
    "break_minutes": 30,
    "break_after_minutes": 360,
    "late_grace_minutes": 5,
    "early_grace_minutes": 5,
    "daily_overtime_after": 480,
    "weekly_overtime_after": 2400,
    "rounding_minutes": 0,
    "auto_close": False,
}


def test_a_shift_added_through_the_api_audits_as_the_admin_form(api_as, client_as):
    start = last_audit_id()
    created = api_as("admin").post("/api/v1/shifts/", {"name": "Early", **SHIFT}, format="json")
    assert created.status_code == 201, created.content
    via_api = audit_trail(start, ignore=("id",))
    start = last_audit_id()
    form = {**SHIFT, "name": "Early", "work_days": "[0, 1, 2, 3, 4]"}
    form.pop("auto_close")
    ShiftPattern.objects.filter(name="Early").delete()
    response = client_as("admin").post("/admin/attendance/shiftpattern/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert audit_trail(start, ignore=("id",)) == via_api
    assert via_api[0][0] == "admin.shiftpattern.created"


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_timecard_readers_read_schedules_and_only_administrators_write(api_as, role):
    api = api_as(role)
    reads = api.get("/api/v1/shifts/")
    assert reads.status_code == (200 if role in ("hr", "manager", "admin") else 403), role
    writes = api.post("/api/v1/shifts/", {"name": "Late", **SHIFT}, format="json")
    assert writes.status_code == (201 if role == "admin" else 403), role


def test_changes_and_deletes_are_audited_with_before_and_after(api_as):
    api = api_as("admin")
    shift_id = api.post("/api/v1/shifts/", {"name": "Early", **SHIFT}, format="json").json()["id"]
    person = PersonFactory()
    assignment = api.post(
        "/api/v1/shift-assignments/",
        {"shift": shift_id, "person": person.pk, "valid_from": "2026-11-16"},
        format="json",
    )
    assert assignment.status_code == 201
    changed = api.patch(f"/api/v1/shifts/{shift_id}/", {"late_grace_minutes": 10}, format="json")
    assert changed.status_code == 200
    entry = AuditEntry.objects.get(action="admin.shiftpattern.changed")
    assert (entry.before, entry.after) == ({"late_grace_minutes": 5}, {"late_grace_minutes": 10})
    gone = api.delete(f"/api/v1/shift-assignments/{assignment.json()['id']}/")
    assert gone.status_code == 204 and not ShiftAssignment.objects.exists()
    assert AuditEntry.objects.filter(action="admin.shiftassignment.deleted").count() == 1
    listed = api.get("/api/v1/shift-assignments/", {"person": person.pk}).json()
    assert listed["results"] == []


@pytest.mark.parametrize(
    "url, sent, field",
    [
        ("/api/v1/shifts/", {"name": "X", **SHIFT, "work_days": [7]}, "work_days.0"),
        ("/api/v1/shifts/", {"name": "X", **SHIFT, "start": "8 o'clock"}, "start"),
        ("/api/v1/shift-assignments/", {"valid_from": "2026-11-16"}, "person"),
        (
            "/api/v1/shift-assignments/",
            {"valid_from": "2026-11-16", "valid_to": "2026-11-01", "department": None},
            "valid_to",
        ),
        ("/api/v1/holidays/", {"date": "2026-12-25", "name": "Twice"}, None),
    ],
)
def test_bad_schedule_input_is_a_400_naming_the_field(api_as, url, sent, field):
    shift = ShiftPattern.objects.create(name="Day", start="08:00", end="16:00", work_days=[0])
    site = SiteFactory()
    PublicHoliday.objects.create(site=site, date="2026-12-25", name="Christmas")
    body = {**sent}
    if "assignments" in url:
        body["shift"] = shift.pk
        if field == "valid_to":  # for someone, but ending before it starts
            body["person"] = PersonFactory().pk
    if "holidays" in url:  # the site has that holiday already
        body["site"] = site.pk
    response = api_as("admin").post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
