"""The demo organisation: a manager login with a real team whose punches come from BioTime."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from connectors.simkit.clock import SimClock
from portal.attendance.models import Punch
from portal.demo.org import DIRECT_REPORTS, SUB_TEAM, TEAM_LEAD_CODE, hr_master_people
from portal.people.models import Person
from portal.people.selectors import reports_of
from portal.sync.pull import pull_stream
from portal.sync.schedules import streams_of
from tests.portal.sync.conftest import NOW, demo_simulator, wire

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    return SimClock(NOW, frozen=True)


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_gives_the_manager_login_a_team_and_is_idempotent(django_assert_max_num_queries):
    seed()
    manager = get_user_model().objects.get(username="manager")
    lead = Person.objects.get(employee_code=TEAM_LEAD_CODE)
    assert lead.user == manager and manager.get_full_name() == lead.full_name
    direct = list(reports_of(manager))
    assert len(direct) == DIRECT_REPORTS
    assert reports_of(manager, whole_tree=True).count() == DIRECT_REPORTS + SUB_TEAM
    assert Person.objects.count() == len(hr_master_people())
    assert Person.objects.filter(manager__isnull=False).count() > 200  # every team has a lead
    before = list(Person.objects.values_list("pk", "manager_id", "user_id").order_by("pk"))

    with django_assert_max_num_queries(200):  # a re-run writes nothing and stays quick
        seed()
    assert list(Person.objects.values_list("pk", "manager_id", "user_id").order_by("pk")) == before


def test_the_first_biotime_pull_links_the_seeded_people_and_their_punches_reach_the_manager(clock):
    seed()
    people = Person.objects.count()
    biotime = wire("biotime", demo_simulator("biotime", clock), import_new_people=True)
    for stream in streams_of(biotime.account):
        run = pull_stream(
            biotime.account.pk, stream, transport=biotime.transport, sleep=lambda s: 0
        )
        assert run.status == "succeeded", run.error
    assert Person.objects.count() == people + 2  # only the two who resigned are imported
    assert not Person.objects.filter(drifts__isnull=False).exists()

    manager = get_user_model().objects.get(username="manager")
    team = reports_of(manager, whole_tree=True)
    last_week = [NOW.date() - timedelta(days=d) for d in range(1, 8)]
    workdays = [day for day in last_week if day.weekday() < 5]
    for person in team:
        days = {
            p.punched_at.date()
            for p in Punch.objects.filter(person=person, punched_at__date__in=workdays)
        }
        assert len(days) >= len(workdays) - 1, f"{person} punched on {sorted(days)} only"
