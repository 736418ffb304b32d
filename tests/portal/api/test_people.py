"""/api/v1/people/: the People pages' operations, with their permissions, checks and audit."""

from datetime import date

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.models import OutboxMessage
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    SiteFactory,
    VendorAccountFactory,
    link_person_to,
)
from tests.portal.api.twins import audit_trail, last_audit_id

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"


def page_form(**values):
    data = {
        "first_name": "Ida",
        "last_name": "Iversen",
        "email": "ida@example.com",
        "phone": "",
        "department": "",
        "position": "",
        "manager": "",
        "hire_date": "2024-03-01",
    }
    return data | values


def test_hr_lists_people_with_their_organisation(api_as):
    site = SiteFactory()
    person = PersonFactory(employee_code="00042")
    person.sites.add(site)
    body = api_as("hr").get(URL).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["employee_code"] == "00042"
    assert row["department"] == person.department_id and row["sites"] == [site.pk]
    assert "systems" not in row  # per-system state is on the detail


@pytest.mark.parametrize("role", ["guard", "manager"])
def test_roles_without_view_person_are_refused_as_on_the_page(api_as, role):
    response = api_as(role).get(URL)
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"].startswith("This needs the permission")


def test_no_credentials_is_401_with_the_token_scheme():
    from rest_framework.test import APIClient

    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_session_sign_in_works_too(client_as):
    PersonFactory()
    assert client_as("hr").get(URL).json()["count"] == 1


def test_list_pages_filters_orders_and_chooses_fields(api_as):
    department = DepartmentFactory()
    for n in range(7):
        PersonFactory(employee_code=f"{n:05d}", last_name=f"L{6 - n}", department=department)
    PersonFactory(employee_code="99999", status="terminated", termination_date=date(2025, 1, 1))
    api = api_as("hr")
    first = api.get(URL, {"page_size": 3, "status": "active", "ordering": "last_name"}).json()
    assert first["count"] == 7
    assert [r["last_name"] for r in first["results"]] == ["L0", "L1", "L2"]
    third = api.get(first["next"].replace("http://testserver", "")).json()
    assert [r["last_name"] for r in third["results"]] == ["L3", "L4", "L5"]
    slim = api.get(URL, {"fields": "id,employee_code", "q": "00003"}).json()
    assert slim["results"] == [
        {"id": Person.objects.get(employee_code="00003").pk, "employee_code": "00003"}
    ]
    assert api.get(URL, {"department": department.pk}).json()["count"] == 7


@pytest.mark.parametrize(
    "params,field",
    [
        ({"status": "gone"}, "status"),
        ({"department": "x"}, "department"),
        ({"site": "99999999999999999999999"}, "site"),
        ({"fields": "id,salary"}, "fields"),
        ({"ordering": "salary"}, None),
        ({"page": "999"}, None),
    ],
)
def test_bad_query_parameters_are_400_or_404_naming_the_field(api_as, params, field):
    PersonFactory()
    response = api_as("hr").get(URL, params)
    if "ordering" in params:
        assert response.status_code == 200  # an ordering not on the list is ignored, as in DRF
        return
    errors = response.json()["errors"]
    if "page" in params:
        assert response.status_code == 404 and errors[0]["code"] == "not_found"
    else:
        assert response.status_code == 400 and errors[0]["field"] == field


def test_list_query_count_does_not_grow_with_people(api_as, django_assert_max_num_queries):
    for _ in range(30):
        PersonFactory().sites.add(SiteFactory())
    api = api_as("hr")
    with django_assert_max_num_queries(8):  # token, user perms, count, page, sites prefetch
        assert len(api.get(URL).json()["results"]) == 30


def test_detail_shows_state_in_each_connected_system(api_as):
    person = PersonFactory()
    account = VendorAccountFactory(name="Berlin BioTime")
    link_person_to(account, person, vendor_id="1001")
    systems = api_as("hr").get(f"{URL}{person.pk}/").json()["systems"]
    assert systems == [
        {
            "account": account.pk,
            "account_name": "Berlin BioTime",
            "kind": "biotime",
            "writable": True,
            "state": "linked",
            "vendor_id": "1001",
            "last_error": "",
            "should_be_in": True,
            "provisioned_by": "No provisioning rules yet: every new person goes to every system",
            "override": "",
            "provisioning": "in",
            "access_groups": [],
            "wanted_access_groups": [],
        }
    ]


def test_create_is_audited_like_the_page_and_reaches_every_system(api_as, client_as):
    VendorAccountFactory()
    site = SiteFactory()
    start = last_audit_id()
    client_as("hr").post(
        reverse("people:person-add"), page_form(employee_code="00041", sites=[site.pk])
    )
    page_trail = audit_trail(start)

    start = last_audit_id()
    response = api_as("hr").post(
        URL, page_form(employee_code="00042", sites=[site.pk]) | {"department": None}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert audit_trail(start) == page_trail
    created = Person.objects.get(employee_code="00042")
    assert response.json()["id"] == created.pk
    assert OutboxMessage.objects.filter(object_id=created.pk, action="create").count() == 1


def test_create_refuses_what_the_page_form_refuses_with_field_names(api_as):
    PersonFactory(employee_code="00042")
    response = api_as("hr").post(
        URL, {"employee_code": "00042", "first_name": "", "email": "no"}, format="json"
    )
    assert response.status_code == 400
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {
        "employee_code": "unique",
        "first_name": "required",
        "last_name": "required",
        "email": "invalid",
    }
    assert not AuditEntry.objects.filter(action="person.created").exists()


def test_a_json_array_is_a_400_not_a_crash(api_as):
    response = api_as("hr").post(URL, [1, 2], format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "parse_error"


def test_patch_changes_only_what_was_sent_and_audits_the_difference(api_as, client_as):
    person = PersonFactory(first_name="Ida", email="ida@example.com")
    twin = PersonFactory(first_name="Ida", email="ida@example.com", department=person.department)
    start = last_audit_id()
    client_as("hr").post(
        reverse("people:person-edit", args=[twin.pk]),
        page_form(
            employee_code=twin.employee_code,
            first_name="Ide",
            last_name=twin.last_name,
            department=twin.department_id,
            hire_date="",
        ),
    )
    page_trail = audit_trail(start)
    start = last_audit_id()
    response = api_as("hr").patch(f"{URL}{person.pk}/", {"first_name": "Ide"}, format="json")
    assert response.status_code == 200
    assert audit_trail(start) == page_trail
    person.refresh_from_db()
    assert (person.first_name, person.email) == ("Ide", "ida@example.com")


def test_a_person_cannot_be_their_own_manager(api_as):
    person = PersonFactory()
    response = api_as("hr").patch(f"{URL}{person.pk}/", {"manager": person.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "manager"


def test_terminate_and_rehire_audit_like_the_pages_and_conflict_when_repeated(api_as, client_as):
    twin, person = (
        PersonFactory(hire_date=date(2020, 1, 1)),
        PersonFactory(hire_date=date(2020, 1, 1)),
    )
    start = last_audit_id()
    page = client_as("hr")
    page.post(  # the page's confirmed step
        reverse("people:person-terminate", args=[twin.pk]),
        {"termination_date": "2026-11-30", "reason": "Moved away", "confirm": "1"},
    )
    page.post(reverse("people:person-rehire", args=[twin.pk]))
    page_trail = audit_trail(start)

    api = api_as("hr")
    start = last_audit_id()
    terminate = f"{URL}{person.pk}/terminate/"
    ok = api.post(
        terminate, {"termination_date": "2026-11-30", "reason": "Moved away"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "terminated"
    again = api.post(terminate, {"termination_date": "2026-11-30", "reason": "x"}, format="json")
    assert again.status_code == 409
    assert api.post(f"{URL}{person.pk}/rehire/").json()["status"] == "active"
    assert api.post(f"{URL}{person.pk}/rehire/").status_code == 409
    assert audit_trail(start) == page_trail


def test_termination_before_the_hire_date_names_the_field(api_as):
    person = PersonFactory(hire_date=date(2024, 3, 1))
    response = api_as("hr").post(
        f"{URL}{person.pk}/terminate/",
        {"termination_date": "2024-01-01", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "termination_date"


def test_terminating_needs_the_terminate_permission(api_as, user_with_role):
    from django.contrib.auth.models import Permission

    person = PersonFactory()
    hr = user_with_role("hr")
    api = api_as("hr")
    hr.groups.first().permissions.remove(Permission.objects.get(codename="terminate_person"))
    response = api.post(
        f"{URL}{person.pk}/terminate/",
        {"termination_date": "2026-11-30", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_people_are_not_deleted_through_the_api(api_as):
    person = PersonFactory()
    assert api_as("admin").delete(f"{URL}{person.pk}/").status_code == 405
