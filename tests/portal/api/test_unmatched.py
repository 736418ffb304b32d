"""/api/v1/unmatched/: link or create through the same service the Unmatched page uses."""

import pytest
from django.urls import reverse

from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.api.twins import audit_trail, last_audit_id

pytestmark = pytest.mark.django_db


def waiting(account, vendor_id, code, **fields):
    return UnmatchedPerson.objects.create(
        account=account,
        vendor_id=vendor_id,
        code=code,
        first_name="Ola",
        last_name="Nordmann",
        reason=UnmatchedPerson.Reason.NO_MATCH,
        **fields,
    )


def test_hr_lists_and_links_like_the_page(api_as, client_as):
    account = VendorAccountFactory(push_enabled=False)
    twin_entry, entry = waiting(account, "1", "A1"), waiting(account, "2", "A2")
    PersonFactory(employee_code="70001")
    person = PersonFactory(employee_code="70002")
    api = api_as("hr")
    assert api.get("/api/v1/unmatched/").json()["count"] == 2

    start = last_audit_id()
    client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[twin_entry.pk, "link"]), {"employee_code": "70001"}
    )
    page_trail = audit_trail(start, ignore=("vendor_id", "vendor_code"))
    start = last_audit_id()
    response = api.post(
        f"/api/v1/unmatched/{entry.pk}/link/", {"employee_code": "70002"}, format="json"
    )
    assert response.status_code == 201 and response.json()["id"] == person.pk
    assert audit_trail(start, ignore=("vendor_id", "vendor_code")) == page_trail
    assert ExternalLink.objects.filter(account=account, object_id=person.pk, vendor_id="2").exists()
    assert not UnmatchedPerson.objects.exists()


def test_linking_to_an_unknown_code_names_the_field(api_as):
    entry = waiting(VendorAccountFactory(), "1", "A1")
    response = api_as("hr").post(
        f"/api/v1/unmatched/{entry.pk}/link/", {"employee_code": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "employee_code"


def test_create_person_from_a_record_like_the_page(api_as, client_as):
    account = VendorAccountFactory(push_enabled=False)
    twin_entry, entry = waiting(account, "1", "B1"), waiting(account, "2", "B2")
    start = last_audit_id()
    client_as("hr").post(reverse("sync:unmatched-resolve", args=[twin_entry.pk, "create"]))
    page_trail = audit_trail(start, ignore=("employee_code", "vendor_id", "vendor_code"))
    start = last_audit_id()
    response = api_as("hr").post(f"/api/v1/unmatched/{entry.pk}/create-person/")
    assert response.status_code == 201
    assert audit_trail(start, ignore=("employee_code", "vendor_id", "vendor_code")) == page_trail
    assert Person.objects.get(employee_code="B2").pk == response.json()["id"]


def test_a_vendor_system_account_is_refused_with_409(api_as):
    entry = waiting(VendorAccountFactory(), "1", "admin", system_account=True)
    response = api_as("hr").post(f"/api/v1/unmatched/{entry.pk}/create-person/")
    assert response.status_code == 409
    assert "never links it" in response.json()["errors"][0]["message"]
    assert not Person.objects.exists()


def test_a_code_already_taken_is_a_conflict(api_as):
    account = VendorAccountFactory()
    PersonFactory(employee_code="C1")
    entry = waiting(account, "1", "C1")
    response = api_as("hr").post(f"/api/v1/unmatched/{entry.pk}/create-person/")
    assert response.status_code == 409
    assert UnmatchedPerson.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("role", ["guard", "manager"])
def test_the_queue_needs_the_page_permission(api_as, role):
    entry = waiting(VendorAccountFactory(), "1", "A1")
    assert api_as(role).get("/api/v1/unmatched/").status_code == 403
    assert api_as(role).post(f"/api/v1/unmatched/{entry.pk}/create-person/").status_code == 403
