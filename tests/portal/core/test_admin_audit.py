"""Changes made in the Django admin land in the one audit log, with actor and before/after."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.core import roles
from portal.core.models import AuditEntry
from portal.people.models import Department

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_department_created_changed_and_deleted_in_admin_are_audited(admin_client, admin_user):
    response = admin_client.post(
        "/admin/people/department/add/", {"name": "Logistics", "code": "LOG"}
    )
    assert response.status_code == 302
    department = Department.objects.get(name="Logistics")
    [created] = entries("admin.department.created")
    assert created.actor_id == admin_user.pk
    assert created.after["name"] == "Logistics"
    assert created.object_id == str(department.pk)

    admin_client.post(
        f"/admin/people/department/{department.pk}/change/", {"name": "Logistik", "code": "LOG"}
    )
    [changed] = entries("admin.department.changed")
    assert (changed.before, changed.after) == ({"name": "Logistics"}, {"name": "Logistik"})

    admin_client.post(f"/admin/people/department/{department.pk}/delete/", {"post": "yes"})
    [deleted] = entries("admin.department.deleted")
    assert deleted.before["name"] == "Logistik"
    assert not Department.objects.filter(pk=department.pk).exists()


def test_an_unchanged_save_writes_no_entry(admin_client):
    department = Department.objects.create(name="Sales", code="S")
    admin_client.post(
        f"/admin/people/department/{department.pk}/change/", {"name": "Sales", "code": "S"}
    )
    assert entries("admin.department.changed") == []


def test_giving_someone_the_administrator_role_is_audited(admin_client, admin_user):
    roles.ensure_roles()
    clerk = User.objects.create_user("clerk", password="x" * 12)
    administrators = Group.objects.get(name=roles.ADMINISTRATOR)
    form = {
        "username": "clerk",
        "is_active": "on",
        "groups": [administrators.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "10:00:00",
    }
    response = admin_client.post(f"/admin/auth/user/{clerk.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    assert clerk.groups.filter(pk=administrators.pk).exists()
    [changed] = entries("admin.user.changed")
    assert changed.actor_id == admin_user.pk
    assert changed.before["groups"] == []
    assert changed.after["groups"] == [roles.ADMINISTRATOR]
    assert "password" not in changed.after  # the hash never reaches the log


def test_disabling_a_periodic_task_with_the_bulk_action_is_audited(admin_client):
    every_minute = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(name="pull", task="x", interval=every_minute)
    admin_client.post(
        "/admin/django_celery_beat/periodictask/",
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    task.refresh_from_db()
    assert task.enabled is False
    [disabled] = entries("admin.periodictask.disabled")
    assert (disabled.before, disabled.after) == ({"enabled": True}, {"enabled": False})


def test_the_command_line_records_the_operating_system_user(monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ops-anna")
    call_command("rotate_vendor_secrets")
    [entry] = entries("vendor_secrets.rotated")
    assert entry.actor_label == "ops-anna (command line)"
    assert entry.actor_id is None
