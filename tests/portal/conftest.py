from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.attendance.models import Punch, ShiftAssignment, ShiftPattern
from portal.core import roles
from tests.factories import PersonFactory, UserFactory, VendorAccountFactory

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


BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 16)


def local(day, hh, mm=0):
    return datetime.combine(day, time(hh, mm), tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def punched_week(user_with_role):
    """The timecard pages' and API's team: a manager (user "manager") with two reports, Anna and
    Ben, and a stranger, Sara; all three on a weekday day shift (8:00-16:30) with punches from one
    clock for the week of MONDAY; Anna forgot to clock out on Monday. No time card is computed:
    each test module recomputes the days it needs. Gives (account, anna, ben, stranger)."""
    boss = PersonFactory(first_name="Maren", last_name="Manager", user=user_with_role("manager"))
    anna = PersonFactory(first_name="Anna", last_name="Arndt", manager=boss)
    ben = PersonFactory(first_name="Ben", last_name="Brandt", manager=boss)
    stranger = PersonFactory(first_name="Sara", last_name="Stranger")
    shift = ShiftPattern.objects.create(
        name="Day", start=time(8), end=time(16, 30), work_days=[0, 1, 2, 3, 4]
    )
    account = VendorAccountFactory()
    n = 0
    for person in (anna, ben, stranger):
        ShiftAssignment.objects.create(shift=shift, person=person, valid_from=MONDAY)
        for i in range(5):
            day = MONDAY + timedelta(days=i)
            moments = [(8, 0, "in"), (16, 30, "out")]
            if person is anna and i == 0:
                moments = moments[:1]
            for hh, mm, direction in moments:
                n += 1
                Punch.objects.create(
                    account=account,
                    vendor_id=str(n),
                    person=person,
                    punched_at=local(day, hh, mm),
                    direction=direction,
                )
    return account, anna, ben, stranger
