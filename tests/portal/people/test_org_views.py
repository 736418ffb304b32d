"""The departments, positions and sites pages: who may use them, errors beside fields, retry."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.people.models import Department, Position, Site
from portal.sync.models import OutboxMessage
from tests.factories import DepartmentFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db

URLS = ["people:department-list", "people:position-list", "people:site-list"]


@pytest.mark.parametrize("role", ["hr", "admin"])
@pytest.mark.parametrize("url_name", URLS)
def test_hr_and_admin_open_each_list(client_as, role, url_name):
    assert client_as(role).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("role", ["manager", "guard", "security"])
def test_other_roles_are_refused_lists_forms_and_posts(client_as, role):
    department = DepartmentFactory()
    client = client_as(role)
    for url_name in URLS:
        assert client.get(reverse(url_name)).status_code == 403
    assert client.get(reverse("people:department-edit", args=[department.pk])).status_code == 403
    answer = client.post(reverse("people:department-add"), {"name": "X", "code": "X"})
    assert answer.status_code == 403 and not Department.objects.filter(code="X").exists()


def test_an_unknown_id_in_the_address_is_404(client_as):
    assert client_as("hr").get(reverse("people:position-edit", args=[999999])).status_code == 404


def test_a_department_cannot_be_moved_under_its_own_child_by_a_tampered_post(client_as):
    parent = DepartmentFactory(name="Logistics")
    child = DepartmentFactory(name="Inbound", parent=parent)
    response = client_as("hr").post(
        reverse("people:department-edit", args=[parent.pk]),
        {"name": "Logistics", "code": parent.code, "parent": child.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Department.objects.get(pk=parent.pk).parent is None


def test_an_invalid_post_shows_errors_beside_the_fields_in_the_form_partial(client_as):
    Position.objects.create(name="Driver", code="DRV")
    response = client_as("hr").post(
        reverse("people:position-add"),
        {"name": "x" * 51, "code": "DRV"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<form")
    assert "At most 50 characters (51 given)" in html
    assert "Position with this Code already exists." in html


def test_a_valid_add_goes_back_to_the_list_and_queues_the_systems(client_as):
    VendorAccountFactory(kind="biotime")
    response = client_as("hr").post(
        reverse("people:site-add"),
        {"name": "Kiel Harbour", "code": "KIEL", "time_zone": "Europe/Berlin", "address": ""},
        headers={"HX-Request": "true"},
    )
    assert response.headers["HX-Redirect"] == reverse("people:site-list")
    site = Site.objects.get(code="KIEL")
    assert OutboxMessage.objects.get().object_id == site.pk
    page = client_as("hr").get(reverse("people:site-list")).content.decode()
    assert "Kiel Harbour" in page and "waiting to be sent" in page


def test_a_failed_record_shows_the_vendor_words_and_hr_retries_it(client_as):
    account = VendorAccountFactory(kind="biostar")
    department = DepartmentFactory(name="Logistics")
    message = OutboxMessage.objects.create(
        account=account,
        record_kind="department",
        action="create",
        content_type=ContentType.objects.get_for_model(Department),
        object_id=department.pk,
        idempotency_key="department:test",
        scheduled_for=timezone.now(),
        status=OutboxMessage.Status.FAILED,
        last_error="ConflictError: A user group named 'Logistics' already exists.",
    )
    client = client_as("hr")
    page = client.get(reverse("people:department-list")).content.decode()
    assert "already exists" in page and reverse("sync:org-retry", args=[message.pk]) in page

    answer = client.post(
        reverse("sync:org-retry", args=[message.pk]), headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200 and "waiting to be sent" in answer.content.decode()
    message.refresh_from_db()
    assert message.status == "pending"


def test_only_people_who_may_change_the_kind_retry_it(client_as):
    account = VendorAccountFactory(kind="biostar")
    department = DepartmentFactory()
    message = OutboxMessage.objects.create(
        account=account,
        record_kind="department",
        action="create",
        content_type=ContentType.objects.get_for_model(Department),
        object_id=department.pk,
        idempotency_key="department:test2",
        scheduled_for=timezone.now(),
        status=OutboxMessage.Status.FAILED,
    )
    assert (
        client_as("manager").post(reverse("sync:org-retry", args=[message.pk])).status_code == 403
    )
    message.refresh_from_db()
    assert message.status == "failed"


def test_the_list_reads_in_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    VendorAccountFactory(kind="biotime")
    for n in range(20):
        DepartmentFactory(name=f"Team {n}")
    client = client_as("hr")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:department-list")).status_code == 200


def test_hr_sends_a_record_a_system_does_not_hold_yet_audited(client_as):
    account = VendorAccountFactory(kind="biostar")
    department = DepartmentFactory(name="Logistics")  # from before the account was connected
    client = client_as("hr")
    page = client.get(reverse("people:department-list")).content.decode()
    send = reverse("sync:org-send", args=["department", department.pk, account.pk])
    assert "not there" in page and send in page

    answer = client.post(send, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "waiting to be sent" in answer.content.decode()
    message = OutboxMessage.objects.get()
    assert (message.account, message.object_id) == (account, department.pk)
    entry = AuditEntry.objects.get(action="org.send_requested")
    assert entry.after == {"kind": "department", "account": account.name}


def test_sending_to_a_system_that_does_not_keep_the_kind_or_by_a_guard_is_refused(client_as):
    biostar = VendorAccountFactory(kind="biostar")
    position = Position.objects.create(name="Driver", code="DRV")
    url = reverse("sync:org-send", args=["position", position.pk, biostar.pk])
    assert client_as("hr").post(url).status_code == 404  # BioStar keeps no positions
    department = DepartmentFactory()
    url = reverse("sync:org-send", args=["department", department.pk, biostar.pk])
    assert client_as("guard").post(url).status_code == 403
    assert client_as("hr").post(url.replace("/department/", "/person/")).status_code == 404
    assert not OutboxMessage.objects.exists()
