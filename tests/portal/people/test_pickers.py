"""Choosing a person by typing: the whole list for a small company, a search request above."""

import pytest
from django.urls import reverse

from portal.people import pickers
from portal.people.forms import PersonForm
from portal.people.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SUGGEST = reverse("people:person-suggest")


def test_a_small_company_lists_every_active_person_in_the_page():
    PersonFactory(first_name="Hanna", last_name="Hinrichs", employee_code="00042")
    html = str(PersonForm()["manager"])
    assert '<option value="Hanna Hinrichs (00042)">' in html
    assert "hx-get" not in html


def test_above_the_limit_the_list_is_filled_by_a_search_request(monkeypatch):
    monkeypatch.setattr(pickers, "LISTED_AT_ONCE", 3)
    for _ in range(4):
        PersonFactory()
    html = str(PersonForm()["manager"])
    assert "<option" not in html
    assert f'hx-get="{SUGGEST}?field=manager"' in html
    assert 'hx-target="#id_manager-options"' in html


def test_suggestions_are_active_people_whose_words_begin_with_the_typed_text(client_as):
    PersonFactory(first_name="Hanna", last_name="Hinrichs", employee_code="00042")
    PersonFactory(first_name="Hinnerk", last_name="Jansen", employee_code="00043")
    PersonFactory(
        first_name="Hilde",
        last_name="Hansen",
        status=Person.Status.TERMINATED,
        termination_date="2026-01-31",
    )
    PersonFactory(first_name="Olaf", last_name="Otto")
    client = client_as("hr")

    html = client.get(SUGGEST, {"field": "manager", "manager": "hin"}).content.decode()

    assert html.count("<option") == 2
    assert '<option value="Hanna Hinrichs (00042)">' in html
    assert '<option value="Hinnerk Jansen (00043)">' in html
    assert (
        "<option" not in client.get(SUGGEST, {"field": "manager", "manager": " "}).content.decode()
    )


def test_suggestions_need_the_right_to_see_people(client_as):
    assert client_as("guard").get(SUGGEST, {"q": "a"}).status_code == 403


def test_the_bulk_manager_box_takes_a_suggestion_or_a_bare_code(client_as):
    PersonFactory(first_name="Hanna", last_name="Hinrichs", employee_code="00042")
    worker = PersonFactory()
    client = client_as("hr")
    for typed in ("Hanna Hinrichs (00042)", "00042"):
        response = client.post(
            reverse("people:person-bulk"),
            {"action": "manager", "manager_code": typed, "person": [worker.pk]},
        )
        assert "Make Hanna Hinrichs (00042) the manager of" in response.content.decode()
