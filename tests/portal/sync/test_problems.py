"""The HR problems list: failed pushes with retry, drift, unmatched records; dashboard links."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.models import OutboxMessage, PersonDrift, UnmatchedPerson
from tests.factories import PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db

PROBLEMS = reverse("sync:problems")


@pytest.fixture
def troubles():
    doors = VendorAccountFactory(kind="biostar", name="Doors")
    hanna = PersonFactory(first_name="Hanna", last_name="Hinrichs", employee_code="00042")
    ida = PersonFactory(first_name="Ida", last_name="Iversen", employee_code="00077")
    failed = OutboxMessage.objects.create(
        account=doors,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=hanna.pk,
        idempotency_key="k-failed",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_error="ValidationError: BioStar refused the name: longer than 48 characters.",
        scheduled_for=timezone.now(),
    )
    PersonDrift.objects.create(
        person=ida, account=doors, field="phone", portal_value="0151", vendor_value="0160"
    )
    UnmatchedPerson.objects.create(
        account=doors, vendor_id="9", code="42", first_name="Hanna", reason="no_match"
    )
    UnmatchedPerson.objects.create(
        account=doors,
        vendor_id="1",
        code="1",
        first_name="admin",
        reason="no_match",
        system_account=True,
    )
    return {"doors": doors, "hanna": hanna, "ida": ida, "failed": failed}


def test_problems_page_lists_each_kind_with_links_to_where_it_is_fixed(client_as, troubles):
    response = client_as("hr").get(PROBLEMS)
    html = response.content.decode()
    assert response.status_code == 200
    counts = {s["section"].key: s["count"] for s in response.context["sections"]}
    assert counts == {
        "failed": 1,
        "drift": 1,
        "unmatched": 1,
        "still-active": 0,
        "offboarding": 0,
    }  # the system account is not HR's
    assert "BioStar refused the name: longer than 48 characters." in html
    assert f'href="/people/{troubles["hanna"].pk}/">Hanna Hinrichs</a>' in html
    assert f'href="/people/{troubles["ida"].pk}/#drift">Ida Iversen</a>' in html
    assert "<td>0151</td><td>0160</td>" in html
    assert f"/sync/unmatched/?account={troubles['doors'].pk}#unmatched-" in html
    assert 'href="#failed"' in html and 'id="failed"' in html


def test_hr_retries_a_failed_change_and_it_is_audited(client_as, troubles):
    url = reverse("sync:problem-retry", args=[troubles["failed"].pk])
    response = client_as("hr").post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Queued again" in response.content.decode()
    troubles["failed"].refresh_from_db()
    assert (troubles["failed"].status, troubles["failed"].attempts) == ("pending", 0)
    assert AuditEntry.objects.get(action="outbox.retried").actor_label == "hr"
    # a second click finds nothing failed to retry
    assert client_as("hr").post(url).status_code == 404


@pytest.mark.parametrize("role", ["guard", "manager"])
def test_problems_and_retry_need_the_hr_role(client_as, troubles, role):
    client = client_as(role)
    assert client.get(PROBLEMS).status_code == 403
    url = reverse("sync:problem-retry", args=[troubles["failed"].pk])
    assert client.post(url).status_code == 403
    troubles["failed"].refresh_from_db()
    assert troubles["failed"].status == "failed"


def test_retry_here_is_only_for_changes_of_people(client_as, troubles):
    other = OutboxMessage.objects.create(
        account=troubles["doors"],
        record_kind="department",
        action="update",
        content_type=ContentType.objects.get_for_model(VendorAccountFactory._meta.model),
        object_id=1,
        idempotency_key="k-other",
        status=OutboxMessage.Status.FAILED,
        scheduled_for=timezone.now(),
    )
    response = client_as("hr").post(reverse("sync:problem-retry", args=[other.pk]))
    assert response.status_code == 404


def test_empty_problems_page_says_all_is_well(client_as):
    html = client_as("hr").get(PROBLEMS).content.decode()
    assert 'class="empty"' in html and "No problems" in html


def test_dashboard_counts_link_to_the_problems_page(client_as, troubles):
    html = client_as("hr").get(reverse("core:dashboard")).content.decode()
    assert (
        'href="/sync/problems/#failed">Changes that could not reach a system: <strong>1</strong>'
        in html
    )
    assert 'href="/sync/problems/#drift">' in html
    assert 'href="/sync/problems/#unmatched">' in html
