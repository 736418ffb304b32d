from datetime import date

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.people import selectors
from portal.people.models import Person, TeamView
from portal.sync.models import OutboxMessage
from tests.factories import PersonFactory, UserFactory, VendorAccountFactory, link_person_to
from tests.portal.people.test_views import person_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """boss ← lead ← (worker, other); boss ← solo; worker ← intern."""
    boss = PersonFactory(user=UserFactory(username="boss"))
    lead = PersonFactory(manager=boss)
    solo = PersonFactory(manager=boss)
    worker = PersonFactory(manager=lead)
    other = PersonFactory(manager=lead)
    intern = PersonFactory(manager=worker)
    return dict(locals())


def test_reports_of_direct_reports_only(org):
    assert set(selectors.reports_of(org["boss"].user)) == {org["lead"], org["solo"]}


def test_reports_of_whole_tree_walks_every_level_with_one_query_per_level(
    org, django_assert_num_queries
):
    # one query per level: three levels of reports and the empty fourth
    with django_assert_num_queries(4):
        ids = selectors.report_ids(org["boss"].pk, whole_tree=True)
    expected = {org[k].pk for k in ("lead", "solo", "worker", "other", "intern")}
    assert ids == expected
    assert {p.pk for p in selectors.reports_of(org["boss"].user, whole_tree=True)} == expected


def test_reports_of_a_login_without_a_person_is_empty():
    assert list(selectors.reports_of(UserFactory())) == []


def test_reports_of_survives_a_cycle_stored_in_the_data(org):
    Person.objects.filter(pk=org["boss"].pk).update(manager=org["intern"])  # bypassing the form
    ids = selectors.report_ids(org["boss"].pk, whole_tree=True)
    assert org["boss"].pk not in ids and org["intern"].pk in ids


def test_form_refuses_a_manager_who_reports_to_the_person(client_as, org):
    lead = org["lead"]
    intern = org["intern"]
    data = person_form(
        employee_code=lead.employee_code,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        manager=f"{intern.full_name} ({intern.employee_code})",
    )
    response = client_as("hr").post(
        reverse("people:person-edit", args=[lead.pk]), data, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{intern.full_name} already reports to {lead.full_name}" in html
    lead.refresh_from_db()
    assert lead.manager == org["boss"]


def test_form_offers_only_active_other_people_and_takes_a_typed_code(client_as):
    person = PersonFactory()
    gone = PersonFactory(status="terminated", termination_date="2026-01-01")
    chosen = PersonFactory()
    client = client_as("hr")
    page = client.get(reverse("people:person-edit", args=[person.pk])).content.decode()
    assert f"{chosen.full_name} ({chosen.employee_code})" in page
    assert f"({gone.employee_code})" not in page and f"({person.employee_code})" not in page

    base = person_form(
        employee_code=person.employee_code,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
    )
    refused = client.post(
        reverse("people:person-edit", args=[person.pk]),
        base | {"manager": gone.employee_code},
        headers={"HX-Request": "true"},
    )
    assert "No active person has that name and code" in refused.content.decode()
    client.post(
        reverse("people:person-edit", args=[person.pk]), base | {"manager": chosen.employee_code}
    )
    person.refresh_from_db()
    assert person.manager == chosen


def test_person_page_shows_manager_and_direct_reports(client_as, org):
    html = client_as("hr").get(reverse("people:person-detail", args=[org["lead"].pk])).content
    html = html.decode()
    assert org["boss"].full_name in html
    assert org["worker"].full_name in html and org["other"].full_name in html
    assert org["intern"].full_name not in html  # not a direct report


def test_only_those_who_manage_logins_may_link_one_and_it_is_audited(client_as):
    person = PersonFactory(hire_date=date(2024, 3, 1), department=None)
    account = VendorAccountFactory()
    link_person_to(account, person)
    login = UserFactory(username="milan")
    data = person_form(
        employee_code=person.employee_code,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        user=login.pk,
    )
    hr = client_as("hr")
    assert (
        'name="user"'
        not in hr.get(reverse("people:person-edit", args=[person.pk])).content.decode()
    )
    hr.post(reverse("people:person-edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.user is None

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    hr.force_login(admin)
    hr.post(reverse("people:person-edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.user == login
    entry = AuditEntry.objects.get(action="person.changed")
    assert entry.after == {"user": login.pk} and entry.before == {"user": None}
    # a login is portal business: no vendor hears of it
    assert not OutboxMessage.objects.filter(action="update").exists()


def test_manager_saves_the_whole_tree_preference(client_as):
    client = client_as("manager")
    response = client.post(reverse("people:team-view"), {"whole_tree": "on", "next": "/x/"})
    assert response.status_code == 302 and response["Location"] == "/x/"
    user = response.wsgi_request.user
    assert selectors.prefers_whole_tree(user)
    response = client.post(reverse("people:team-view"), {}, headers={"HX-Request": "true"})
    assert response.status_code == 204 and "teamViewChanged" in response["HX-Trigger"]
    assert not selectors.prefers_whole_tree(response.wsgi_request.user)  # read once per request
    assert TeamView.objects.count() == 1


def test_a_person_whose_manager_left_can_still_be_edited(client_as):
    gone = PersonFactory(status="terminated", termination_date="2026-01-01")
    person = PersonFactory(manager=gone, department=None)
    data = person_form(
        employee_code=person.employee_code,
        first_name="Renamed",
        last_name=person.last_name,
        email=person.email,
        manager=f"{gone.full_name} ({gone.employee_code})",
    )
    client_as("hr").post(reverse("people:person-edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.first_name == "Renamed" and person.manager == gone
