"""One rule for every page: an HTMX request gets the page's own partial, a boosted one the page."""

import pytest
from django.urls import reverse

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}

# url name, role, whether it needs a person, the element the partial starts with
PAGES = [
    ("people:person-list", "hr", False, '<div id="person-table"'),
    ("people:person-detail", "hr", True, '<div id="systems"'),
    ("people:person-add", "hr", False, '<form id="person-form"'),
    ("people:person-edit", "hr", True, '<form id="person-form"'),
    ("sync:account-add", "admin", False, '<form id="account-form"'),
    ("sync:health", "admin", False, '<div id="health"'),
    ("core:audit-list", "admin", False, '<div id="audit-table"'),
]


def url_of(name: str, needs_person: bool) -> str:
    return reverse(name, args=[PersonFactory().pk]) if needs_person else reverse(name)


@pytest.mark.parametrize("name,role,needs_person,starts_with", PAGES)
def test_htmx_request_gets_only_the_partial(name, role, needs_person, starts_with, client_as):
    client = client_as(role)
    response = client.get(url_of(name, needs_person), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(starts_with)
    assert "<html" not in html


@pytest.mark.parametrize("name,role,needs_person,starts_with", PAGES)
def test_boosted_and_plain_requests_get_the_whole_page(
    name, role, needs_person, starts_with, client_as
):
    client = client_as(role)
    url = url_of(name, needs_person)
    for headers in (BOOSTED, {}):
        html = client.get(url, headers=headers).content.decode()
        assert "<html" in html and starts_with in html


def test_invalid_htmx_post_re_renders_only_the_form_with_its_errors(client_as):
    response = client_as("hr").post(reverse("people:person-add"), {}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="person-form"')
    assert "This field is required" in html
