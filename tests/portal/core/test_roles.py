import pytest
from django.contrib.auth.models import Group, Permission

from portal.core import roles
from portal.core.navigation import items_for

pytestmark = pytest.mark.django_db

EXPECTED_NAV = {
    "hr": [
        "Dashboard",
        "People",
        "Organisation",
        "Offboardings",
        "Timecards",
        "Problems",
        "Unmatched",
        "Provisioning",
    ],
    "security": ["Dashboard", "Doors", "Devices"],
    "guard": ["Dashboard", "Doors", "Devices"],
    "manager": ["Dashboard", "Timecards"],
    "admin": [
        "Dashboard",
        "People",
        "Organisation",
        "Offboardings",
        "Doors",
        "Devices",
        "Timecards",
        "Problems",
        "Unmatched",
        "Provisioning",
        "Sync health",
        "Vendor accounts",
        "Audit log",
    ],
}


def test_migrate_creates_every_role_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_PERMISSIONS)


def test_administrator_role_holds_every_permission():
    admin = Group.objects.get(name=roles.ADMINISTRATOR)
    assert admin.permissions.count() == Permission.objects.count()


def test_door_command_is_a_permission_of_its_own_role():
    assert (
        not Group.objects.get(name=roles.SECURITY_DESK)
        .permissions.filter(codename="command_door")
        .exists()
    )
    assert (
        Group.objects.get(name=roles.DOOR_CONTROL)
        .permissions.filter(codename="command_door")
        .exists()
    )


def test_ensure_roles_restores_a_removed_permission():
    hr = Group.objects.get(name=roles.HR)
    hr.permissions.clear()
    roles.ensure_roles()
    assert hr.permissions.filter(codename="change_person").exists()


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_navigation_offers_only_what_the_role_may_use(role, user_with_role):
    assert [item.label for item in items_for(user_with_role(role))] == EXPECTED_NAV[role]
