"""The session's user comes with what every page needs: lockdown flag, role names, permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.doors.auth import LockdownAwareBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_header_names_the_users_roles_without_a_query_of_its_own(client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("hr")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("people:person-list")).content.decode()

    assert '<span class="roles">HR</span>' in html
    assert not [q for q in captured.captured_queries if q["sql"].startswith('SELECT "auth_group"')]


def test_permissions_of_the_user_and_of_their_groups_are_read_in_one_query(
    user_with_role, django_assert_num_queries
):
    user = user_with_role("guard")
    own = Permission.objects.get(codename="add_person")
    user.user_permissions.add(own)
    backend = LockdownAwareBackend()
    user = backend.get_user(user.pk)

    with django_assert_num_queries(1):
        perms = backend.get_all_permissions(user)

    assert "people.add_person" in perms  # the user's own
    assert "doors.view_door" in perms  # the guard role's
    assert backend.get_all_permissions(UserFactory(is_active=False)) == set()
