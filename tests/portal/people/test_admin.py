"""Django admin's person changelist stays a fixed number of queries however many people."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, PersonFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:people_person_changelist")


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def changelist_queries(client, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(12) as captured:
        response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return len(captured), response


def test_person_changelist_queries_do_not_grow_with_people(
    superuser_client, django_assert_max_num_queries
):
    """Given 5 people, then 120 in 30 departments, a page of the changelist (and a search and a
    filter) costs the same queries: each row's department comes with the rows."""
    site = SiteFactory()
    for _ in range(5):
        PersonFactory().sites.add(site)
    few, _ = changelist_queries(superuser_client, django_assert_max_num_queries)
    departments = [DepartmentFactory() for _ in range(30)]
    for n in range(115):
        PersonFactory(department=departments[n % 30])

    many, response = changelist_queries(superuser_client, django_assert_max_num_queries)
    searched, _ = changelist_queries(superuser_client, django_assert_max_num_queries, q="a")
    filtered, _ = changelist_queries(
        superuser_client, django_assert_max_num_queries, department__id__exact=departments[3].pk
    )

    assert many == few
    assert searched <= few + 1 and filtered <= few + 1  # the unfiltered total is counted too
    assert "120 people" in response.content.decode()
