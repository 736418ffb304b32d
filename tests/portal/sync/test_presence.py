"""The person page's "In each system" panel, filled by sync's template tag."""

import pytest
from django.urls import reverse

from portal.people import services
from portal.people.forms import PersonForm

pytestmark = pytest.mark.django_db


class Request:
    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


def test_a_pending_push_shows_and_the_panel_polls_itself(biostar, q2, user_with_role, client_as):
    form = PersonForm({"employee_code": "90040", "first_name": "Pia", "last_name": "Paulsen"})
    assert form.is_valid(), form.errors
    person = services.save_person(form, Request(user_with_role("admin")))
    url = reverse("people:person-detail", args=[person.pk])
    client = client_as("hr")

    page = client.get(url).content.decode()
    assert "In each system" in page and "Sending…" in page and "Create waiting." in page
    assert "Read only: Workgate does not change people in this system." in page  # Q2
    assert f'hx-get="{url}" hx-trigger="every 3s"' in page

    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert panel.lstrip().startswith('<div id="systems"') and "Sending…" in panel
    assert "<h1>" not in panel
