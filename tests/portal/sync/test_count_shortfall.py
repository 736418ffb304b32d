"""A vendor whose count promises more rows than its pages deliver: reported, nothing marked gone."""

import pytest

from connectors.biotime.simulator import BioTimeSimulator
from portal.people.models import Person
from portal.sync.models import ExternalLink
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import wire

pytestmark = pytest.mark.django_db


@pytest.fixture
def biotime(db, clock):
    return wire("biotime", BioTimeSimulator.demo(clock=clock), import_new_people=True)


def test_paging_that_stops_short_of_the_count_is_reported_and_marks_nobody_gone(biotime):
    full = pull_stream(biotime.account.pk, "people", transport=biotime.transport, full=True)
    assert full.status == "succeeded" and full.warnings == []
    everyone = ExternalLink.objects.filter(account=biotime.account, gone_at__isnull=True).count()
    resigned = Person.objects.filter(status=Person.Status.TERMINATED).count()
    assert everyone > 100

    biotime.simulator.vendor_faults.ends_early = 1  # page 1 answers without "next"
    short = pull_stream(biotime.account.pk, "people", transport=biotime.transport, full=True)

    assert short.status == "succeeded"
    [warning] = short.warnings
    assert warning.startswith("BioTime reported ") and "but its pages delivered 100;" in warning
    assert short.fetched < everyone
    # the rows paging did not deliver are not gone from BioTime: nobody is marked gone
    assert ExternalLink.objects.filter(account=biotime.account, gone_at__isnull=True).count() == (
        everyone
    )
    assert Person.objects.filter(status=Person.Status.TERMINATED).count() == resigned


def test_the_health_page_shows_the_shortfall(biotime, client_as):
    biotime.simulator.vendor_faults.ends_early = 1
    pull_stream(biotime.account.pk, "people", transport=biotime.transport, full=True)
    html = client_as("admin").get("/sync/health/").content.decode()
    assert "but its pages delivered" in html
