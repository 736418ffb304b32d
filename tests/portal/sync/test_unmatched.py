"""HR resolves the unmatched queue; the person's earlier punches attach at once."""

import pytest
from django.urls import reverse

from portal.attendance.models import Punch
from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson
from portal.sync.pull import pull_stream
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def q2_waiting(q2):
    """Q2 pulled with nobody in Workgate yet: everyone waits, their punches unattached."""
    q2.account.import_new_people = False
    q2.account.save()
    for stream in ("people", "time_cards"):
        run = pull_stream(q2.account.pk, stream, transport=q2.transport, sleep=lambda s: None)
        assert run.status == "succeeded", run.error
    return q2


def with_waiting_punches():
    """An unmatched Q2 employee with time cards (the demo team clocks at BioTime only)."""
    waiting = Punch.objects.filter(person__isnull=True).values("vendor_person_id")
    return UnmatchedPerson.objects.exclude(code="").filter(vendor_id__in=waiting).first()


def test_linking_an_unmatched_person_attaches_their_punches(q2_waiting, client_as):
    entry = with_waiting_punches()
    person = PersonFactory(employee_code="77777")
    waiting = Punch.objects.filter(vendor_person_id=entry.vendor_id, person__isnull=True).count()
    assert waiting > 0

    response = client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[entry.pk, "link"]),
        {"employee_code": "77777"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("sync:unmatched-list")
    assert Punch.objects.filter(person=person).count() == waiting
    assert ExternalLink.objects.filter(
        account=q2_waiting.account, object_id=person.pk, vendor_id=entry.vendor_id
    ).exists()
    assert not UnmatchedPerson.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="person.linked", object_id=str(person.pk)).exists()


def test_linking_to_an_unknown_code_says_so_next_to_the_field(q2_waiting, client_as):
    entry = UnmatchedPerson.objects.first()
    response = client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[entry.pk, "link"]),
        {"employee_code": "nope"},
        headers={"HX-Request": "true"},
    )
    assert "Nobody in Workgate has the code nope" in response.content.decode()
    assert UnmatchedPerson.objects.filter(pk=entry.pk).exists()


def test_create_as_new_person_from_the_queue(q2_waiting, client_as):
    entry = with_waiting_punches()
    client_as("hr").post(reverse("sync:unmatched-resolve", args=[entry.pk, "create"]))
    person = Person.objects.get(employee_code=entry.code)
    assert (person.first_name, person.last_name) == (entry.first_name, entry.last_name)
    assert Punch.objects.filter(person=person).exists()


def test_the_queue_lists_why_each_person_waits(
    q2_waiting, client_as, django_assert_max_num_queries
):
    client = client_as("hr")
    with django_assert_max_num_queries(12):
        html = client.get(reverse("sync:unmatched-list")).content.decode()
    assert "Matches nobody" in html and "Has no employee code there" in html
