"""/api/v1/departments/, /positions/, /sites/."""

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.people.models import Department
from tests.factories import DepartmentFactory, PositionFactory, SiteFactory
from tests.portal.api.twins import audit_trail, last_audit_id

pytestmark = pytest.mark.django_db


def test_hr_adds_and_renames_a_department_audited_with_before_and_after(api_as):
    api = api_as("hr")
    created = api.post("/api/v1/departments/", {"name": "Logistics", "code": "LOG"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    entry = AuditEntry.objects.get(action="department.created")
    assert entry.after["name"] == "Logistics" and entry.actor_label == "hr"
    api.patch(f"/api/v1/departments/{pk}/", {"name": "Shipping"}, format="json")
    entry = AuditEntry.objects.get(action="department.changed")
    assert (entry.before, entry.after) == ({"name": "Logistics"}, {"name": "Shipping"})


def test_a_department_cannot_move_under_its_own_child(api_as):
    parent = DepartmentFactory()
    child = DepartmentFactory(parent=parent)
    response = api_as("hr").patch(
        f"/api/v1/departments/{parent.pk}/", {"parent": child.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "parent"
    assert Department.objects.get(pk=parent.pk).parent is None


def test_duplicate_codes_are_400_on_the_field(api_as):
    PositionFactory(code="DEV")
    response = api_as("hr").post(
        "/api/v1/positions/", {"name": "Dev", "code": "DEV"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "code", "code": "unique", "message": "position with this code already exists."}
    ]


@pytest.mark.parametrize("role", ["guard", "manager"])
def test_roles_without_the_people_permissions_cannot_write_departments(api_as, role):
    response = api_as(role).post("/api/v1/departments/", {"name": "X", "code": "X"}, format="json")
    assert response.status_code == 403


def test_sites_are_read_by_hr_and_the_desk_and_written_by_hr_only(api_as):
    # sites became HR's to add and edit (issue 13: departments, positions and sites pages)
    SiteFactory(name="Hamburg")
    assert api_as("guard").get("/api/v1/sites/").json()["results"][0]["name"] == "Hamburg"
    assert api_as("guard").post("/api/v1/sites/", {"name": "X"}, format="json").status_code == 403
    created = api_as("hr").post("/api/v1/sites/", {"name": "Kiel", "code": "KIEL"}, format="json")
    assert created.status_code == 201
    bad = api_as("hr").post(
        "/api/v1/sites/",
        {"name": "Mars", "code": "MARS", "time_zone": "Mars/Olympus"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "time_zone"
    assert api_as("manager").get("/api/v1/sites/").status_code == 403


def test_the_api_and_the_page_write_a_department_through_the_same_service(api_as, client_as):
    start = last_audit_id()
    client_as("hr").post(reverse("people:department-add"), {"name": "Logistics", "code": "LOG"})
    page = audit_trail(start, ignore=("id", "code", "name"))
    start = last_audit_id()
    response = api_as("hr").post(
        "/api/v1/departments/", {"name": "Shipping", "code": "SHP"}, format="json"
    )
    assert response.status_code == 201
    assert audit_trail(start, ignore=("id", "code", "name")) == page
    assert [action for action, *_ in page] == ["department.created"]


def test_a_second_top_level_department_of_the_same_name_is_refused_on_the_field(api_as):
    DepartmentFactory(name="Logistics", parent=None)
    response = api_as("hr").post(
        "/api/v1/departments/", {"name": "logistics", "code": "LOG2"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
