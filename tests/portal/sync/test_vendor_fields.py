"""Each link keeps the vendor's record as last pulled; the person page shows its extra fields."""

import pytest
from django.urls import reverse

from connectors.biotime.simulator import BioTimeQuirks, BioTimeSimulator
from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import wire

pytestmark = pytest.mark.django_db


@pytest.fixture
def biotime(clock):
    """A BioTime whose admins added custom employee fields ("Passport No", "Global ID")."""
    simulator = BioTimeSimulator.demo(clock=clock, quirks=BioTimeQuirks(custom_fields=True))
    wired = wire("biotime", simulator, import_new_people=True)
    wired.account.name = "HQ BioTime"
    wired.account.save()
    return wired


def pull_people(wired):
    run = pull_stream(wired.account.pk, "people", transport=wired.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    return run


def employee_with_passport(wired):
    employees = wired.simulator.directory.employees.values()
    return next(e for e in employees if e.custom.get("Passport No"))


def test_links_keep_the_raw_record_and_rewrite_it_only_when_it_changed(biotime):
    first = pull_people(biotime)
    employee = employee_with_passport(biotime)
    link = ExternalLink.objects.get(account=biotime.account, vendor_id=str(employee.id))
    assert link.raw["Passport No"] == employee.custom["Passport No"]
    assert link.raw["emp_code"] == employee.emp_code

    again = pull_people(biotime)
    assert (again.updated, again.unchanged) == (0, first.created)

    # only a field Workgate does not map changes: the link's copy follows, nothing else
    employee.custom["Passport No"] = "P-NEW-0001"
    changed = pull_people(biotime)
    assert (changed.created, changed.updated) == (0, 1)
    link.refresh_from_db()
    assert link.raw["Passport No"] == "P-NEW-0001"


def test_the_person_page_shows_what_each_system_holds_beyond_workgates_fields(biotime, client_as):
    pull_people(biotime)
    employee = employee_with_passport(biotime)
    employee.custom["Global ID"] = "NH-4242"
    pull_people(biotime)
    person = Person.objects.get(employee_code=employee.emp_code)

    html = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()

    assert "Also in HQ BioTime" in html
    assert f"<dt>Passport No</dt><dd>{employee.custom['Passport No']}</dd>" in html
    assert "<dt>Global ID</dt><dd>NH-4242</dd>" in html
    assert "<dt>Card no</dt>" in html  # BioTime's own unmapped fields, labelled
    assert "device_password" not in html and "Device password" not in html  # never secrets
    assert "<dt>Emp code</dt>" not in html  # Workgate maps that one already


def test_vendors_without_an_extra_fields_mapping_show_none(q2, client_as):
    pull_people(q2)
    person = Person.objects.first()
    assert ExternalLink.objects.get(account=q2.account, object_id=person.pk).raw
    html = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Also in" not in html


def test_the_person_page_stays_within_its_query_budget_however_many_systems(
    biotime, q2, client_as, django_assert_max_num_queries
):
    """One query for every linked system's extra fields, not one per system."""
    pull_people(biotime)
    pull_people(q2)
    in_both = ExternalLink.objects.filter(account=q2.account).values("object_id")
    person = Person.objects.get(
        pk=ExternalLink.objects.filter(account=biotime.account, object_id__in=in_both)
        .values_list("object_id", flat=True)
        .first()
    )
    client = client_as("hr")
    url = reverse("people:person-detail", args=[person.pk])

    # issue 15: 10 whatever the history or the number of systems (provisioning choices and
    # access groups ride on the accounts query, sites on the person's)
    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()
    assert "Also in HQ BioTime" in html


def test_a_link_made_from_the_unmatched_queue_keeps_the_record_it_was_made_from(
    zeitstrom, client_as
):
    from portal.sync.models import UnmatchedPerson
    from tests.factories import PersonFactory

    pull_people(zeitstrom)
    entry = UnmatchedPerson.objects.exclude(code="").first()
    person = PersonFactory(employee_code="70707")

    client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[entry.pk, "link"]), {"employee_code": "70707"}
    )

    link = ExternalLink.objects.get(account=zeitstrom.account, object_id=person.pk)
    assert link.raw == entry.raw and link.raw


def test_the_mirror_never_stores_a_vendor_secret_of_a_person(biotime):
    pull_people(biotime)
    employee = employee_with_passport(biotime)
    link = ExternalLink.objects.get(account=biotime.account, vendor_id=str(employee.id))
    raw_text = str(link.raw).lower()
    assert "password" not in raw_text  # BioTime's device PIN and self-service password hash
    assert link.raw["Passport No"] == employee.custom["Passport No"]  # the rest is kept
    unmatched = UnmatchedPerson.objects.filter(account=biotime.account)
    assert all("password" not in str(entry.raw).lower() for entry in unmatched)
