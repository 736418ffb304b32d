import pytest

from portal.core import roles
from tests.factories import UserFactory

ROLE_USERS = {
    "hr": [roles.HR],
    "security": [roles.SECURITY_DESK, roles.DOOR_CONTROL],
    "guard": [roles.SECURITY_DESK],
    "manager": [roles.MANAGER],
    "admin": [roles.ADMINISTRATOR],
}


@pytest.fixture
def user_with_role(db):
    def make(role: str):
        return UserFactory(username=role, roles=ROLE_USERS[role], is_staff=(role == "admin"))

    return make


@pytest.fixture
def client_as(client, user_with_role):
    """A test client signed in as a user of the given role."""

    def login(role: str):
        client.force_login(user_with_role(role))
        return client

    return login
