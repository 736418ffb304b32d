"""Suggestions in the unmatched queue: same e-mail, same code but for zeros, similar name."""

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.identity import link_for
from portal.sync.models import UnmatchedPerson
from portal.sync.suggestions import padded_variants, suggestions_for
from tests.factories import PersonFactory, VendorAccountFactory, link_person_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def doors():
    return VendorAccountFactory(kind="biostar", name="Doors")


def waiting(account, **fields):
    values = {"vendor_id": "77", "reason": UnmatchedPerson.Reason.NO_MATCH} | fields
    return UnmatchedPerson.objects.create(account=account, **values)


def suggested(entry) -> list[tuple[str, str]]:
    return [(s.person.employee_code, s.because) for s in suggestions_for([entry])[entry.pk]]


def test_padded_variants_cover_every_width():
    assert {"42", "042", "00042", "000000000042"} <= padded_variants("00042")
    assert padded_variants("A-42") == set()


def test_same_code_with_other_zero_padding(doors):
    PersonFactory(employee_code="00042", first_name="Hanna", last_name="Hinrichs")
    PersonFactory(employee_code="420", first_name="Other", last_name="Person")
    entry = waiting(doors, code="42", first_name="H.", last_name="Unknown")
    assert suggested(entry) == [("00042", "same code with other zeros (42 there)")]


def test_same_email_any_case_and_similar_name_rank_together(doors):
    PersonFactory(
        employee_code="00077", first_name="Ida", last_name="Iversen", email="Ida@Example.com"
    )
    PersonFactory(
        employee_code="00078", first_name="Ingrid", last_name="Iversen", email="ingrid@example.com"
    )
    PersonFactory(
        employee_code="00079", first_name="Jonas", last_name="Iversen", email="j@example.com"
    )
    entry = waiting(doors, code="", first_name="Ida", last_name="iversen", email="ida@example.com")
    assert suggested(entry) == [
        ("00077", "same e-mail, same name"),
        ("00078", "similar name"),
    ]


def test_people_already_in_that_system_are_not_suggested(doors):
    hanna = PersonFactory(employee_code="00042")
    link_person_to(doors, hanna, "5")
    entry = waiting(doors, code="42")
    assert suggested(entry) == []


def test_system_accounts_get_no_suggestions(doors):
    PersonFactory(employee_code="00001", first_name="Admin", last_name="Istrator")
    entry = waiting(doors, code="1", first_name="Admin", last_name="Istrator", system_account=True)
    assert suggestions_for([entry]) == {}


def test_a_page_of_suggestions_costs_a_fixed_number_of_queries(doors, django_assert_num_queries):
    entries = []
    for n in range(20):
        PersonFactory(employee_code=f"{n:05d}", last_name=f"Name{n}")
        entries.append(waiting(doors, vendor_id=str(n), code=str(n), last_name=f"Name{n}"))
    with django_assert_num_queries(2):
        found = suggestions_for(entries)
    assert all(len(found[e.pk]) == 1 for e in entries)


def test_unmatched_page_offers_one_click_links_that_link(client_as, doors):
    hanna = PersonFactory(employee_code="00042", first_name="Hanna", last_name="Hinrichs")
    entry = waiting(doors, code="42", first_name="Hanna", last_name="Hinrichs")
    client = client_as("hr")
    html = client.get(reverse("sync:unmatched-list")).content.decode()
    assert "Choose Hanna Hinrichs <code>00042</code>" in html
    assert "same code with other zeros (42 there), same name" in html
    response = client.post(
        reverse("sync:unmatched-resolve", args=[entry.pk, "link"]), {"employee_code": "00042"}
    )
    assert response.status_code == 302
    assert link_for(doors, Person, hanna.pk).vendor_id == "77"
    assert not UnmatchedPerson.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.get(action="person.linked").after["vendor_code"] == "42"


def test_a_failed_link_keeps_what_was_typed(client_as, doors):
    hanna = PersonFactory(employee_code="00042")
    link_person_to(doors, hanna, "5")  # already has a record in Doors
    entry = waiting(doors, code="42")
    response = client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[entry.pk, "link"]),
        {"employee_code": "00042"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "is already linked to another record of Doors" in html
    assert 'value="00042"' in html


def test_create_as_new_person_goes_through_the_people_service(client_as, doors):
    entry = waiting(
        doors, code="0099", first_name="Olaf", last_name="Neu", email="olaf@example.com"
    )
    response = client_as("hr").post(reverse("sync:unmatched-resolve", args=[entry.pk, "create"]))
    assert response.status_code == 302
    olaf = Person.objects.get(employee_code="0099")
    assert link_for(doors, Person, olaf.pk).vendor_id == "77"
    assert AuditEntry.objects.get(action="person.created").after["from"] == "Doors"
