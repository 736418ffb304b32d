from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.people import services
from portal.people.models import Person
from portal.sync.models import OutboxMessage
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    SiteFactory,
    VendorAccountFactory,
    link_person_to,
)

pytestmark = pytest.mark.django_db


def person_form(**overrides):
    data = {
        "employee_code": "00042",
        "first_name": "Ida",
        "last_name": "Iversen",
        "email": "ida@example.com",
        "phone": "",
        "department": "",
        "position": "",
        "manager": "",
        "hire_date": "2024-03-01",
    }
    data.update(overrides)
    return data


def test_hr_adds_a_person_and_it_is_audited(client_as):
    site = SiteFactory()
    response = client_as("hr").post(reverse("people:person-add"), person_form(sites=[site.pk]))
    person = Person.objects.get(employee_code="00042")
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:person-detail", args=[person.pk]
    )
    assert list(person.sites.all()) == [site]
    entry = AuditEntry.objects.get(action="person.created")
    assert entry.after["employee_code"] == "00042" and entry.actor_label == "hr"


def test_invalid_person_form_keeps_input_and_shows_errors_beside_fields(client_as):
    PersonFactory(employee_code="00042")
    response = client_as("hr").post(
        reverse("people:person-add"),
        person_form(email="not-mail", first_name="Ida Typed"),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="person-form"')
    assert "Person with this Employee code already exists." in html
    assert "Enter a valid email address." in html
    assert 'value="Ida Typed"' in html
    assert Person.objects.count() == 1


def test_edit_records_only_the_changed_fields(client_as):
    person = PersonFactory(first_name="Old", department=DepartmentFactory())
    data = person_form(
        employee_code=person.employee_code,
        first_name="New",
        last_name=person.last_name,
        email=person.email,
        department=person.department_id,
        hire_date="",
    )
    client_as("hr").post(reverse("people:person-edit", args=[person.pk]), data)
    entry = AuditEntry.objects.get(action="person.changed")
    assert entry.before == {"first_name": "Old"} and entry.after == {"first_name": "New"}


def test_terminate_and_rehire(client_as):
    person = PersonFactory()
    client = client_as("hr")
    asked = {"termination_date": "2026-11-20", "reason": "Left"}
    response = client.post(reverse("people:person-terminate", args=[person.pk]), asked)
    assert response.status_code == 200 and "Confirm termination" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "active"  # nothing happens before the confirmation
    response = client.post(
        reverse("people:person-terminate", args=[person.pk]), asked | {"confirm": "1"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, str(person.termination_date), person.termination_reason) == (
        "terminated",
        "2026-11-20",
        "Left",
    )
    client.post(reverse("people:person-rehire", args=[person.pk]))
    person.refresh_from_db()
    assert person.status == "active" and person.termination_date is None
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "person.terminated",
        "person.rehired",
    ]


def test_terminate_without_a_reason_says_so(client_as):
    person = PersonFactory()
    response = client_as("hr").post(
        reverse("people:person-terminate", args=[person.pk]),
        {"termination_date": "2026-11-20", "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    person.refresh_from_db()
    assert person.status == "active"


def test_a_last_working_day_before_the_hire_date_is_refused_on_the_form(client_as):
    person = PersonFactory(hire_date=date(2026, 3, 1))
    response = client_as("hr").post(
        reverse("people:person-terminate", args=[person.pk]),
        {"termination_date": "2026-02-27", "reason": "Left"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be before the hire date (01 Mar 2026)" in html
    assert 'value="Left"' in html  # what was typed is kept
    person.refresh_from_db()
    assert person.status == "active"
    assert not OutboxMessage.objects.exists()


def test_the_service_refuses_a_last_working_day_before_the_hire_date():
    person = PersonFactory(hire_date=date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.terminate_person(person, on=date(2026, 2, 27), reason="Left", request=None)
    assert "termination_date" in refused.value.message_dict
    person.refresh_from_db()
    assert person.status == "active"
    assert not OutboxMessage.objects.exists()
    assert not AuditEntry.objects.filter(action="person.terminated").exists()


@pytest.mark.parametrize("role", ["guard", "manager"])
def test_people_changes_need_the_hr_role(role, client_as):
    person = PersonFactory()
    client = client_as(role)
    assert client.post(reverse("people:person-add"), person_form()).status_code == 403
    assert (
        client.post(
            reverse("people:person-terminate", args=[person.pk]),
            {"termination_date": "2026-11-20", "reason": "x"},
        ).status_code
        == 403
    )
    assert Person.objects.count() == 1


def test_detail_page_says_when_no_system_is_connected(client_as, django_assert_max_num_queries):
    person = PersonFactory()
    client = client_as("hr")
    with django_assert_max_num_queries(10):
        html = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "exists only in Workgate" in html


def long_history(person, accounts):
    """Years of changes: sent pushes, audit entries, past offboardings with a step per system,
    drift in every system, access found open again in one, the newest push to another failed, a
    scheduled offboarding, reports, sites."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from portal.core import audit
    from portal.people.models import Offboarding
    from portal.sync.models import AccessProblem, OffboardingStep, PersonDrift

    person_type = ContentType.objects.get_for_model(Person)
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            account=account,
            record_kind="person",
            action="update",
            content_type=person_type,
            object_id=person.pk,
            idempotency_key=f"history-{account.pk}-{n}",
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.SENT,
            scheduled_for=now,
            sent_at=now,
            last_error="PermissionDeniedError: no." if failed else "",
        )
        for account in accounts
        for n in range(60)
        for failed in [account == accounts[1] and n == 59]  # the newest to Doors failed
    )
    for n in range(40):
        audit.record("person.update", obj=person, before={"phone": str(n)}, after={"phone": "x"})
    for n in range(4):
        offboarding = Offboarding.objects.create(
            person=person,
            last_day=date(2020 + n, 6, 30),
            reason=f"Round {n}",
            scheduled_for=now,
            started_at=now,
            finished_at=now if n < 3 else None,
        )
        OffboardingStep.objects.bulk_create(
            OffboardingStep(
                offboarding=offboarding,
                account=account,
                action="disables the user",
                status=OffboardingStep.Status.FAILED
                if n == 3
                else OffboardingStep.Status.CONFIRMED,
                sent_at=now,
                confirmed_at=now,
                proof={"disabled": True},
                error="Still there." if n == 3 else "",
            )
            for account in accounts
        )
    Offboarding.objects.create(
        person=person, last_day=date(2030, 1, 31), reason="Moving", scheduled_for=now
    )
    for account in accounts:
        for field in ("phone", "email", "first_name"):
            PersonDrift.objects.create(
                person=person, account=account, field=field, portal_value="a", vendor_value="b"
            )
    AccessProblem.objects.create(person=person, account=accounts[0], vendor_id="1001")
    for _ in range(12):
        PersonFactory(manager=person)
    person.sites.set([SiteFactory() for _ in range(3)])


def test_person_page_with_a_long_history_stays_within_ten_queries(
    client_as, django_assert_max_num_queries
):
    """Given a person linked in three systems with years of pushes, offboardings and drift,
    the page is read in at most ten queries, the same as a person with no history."""
    accounts = [
        VendorAccountFactory(kind="biotime", name="HQ BioTime"),
        VendorAccountFactory(kind="biostar", name="Doors"),
        VendorAccountFactory(kind="worktime", name="WT", options={}, credentials={"api_key": "k"}),
    ]
    person = PersonFactory(
        manager=PersonFactory(), status="terminated", termination_date=date(2023, 6, 30)
    )
    for n, account in enumerate(accounts):
        link_person_to(account, person, vendor_id=str(1001 + n))
    long_history(person, accounts)
    client = client_as("hr")

    with django_assert_max_num_queries(10):
        html = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()

    assert "Offboarding scheduled" in html
    assert "Round 3" in html and "Still there." in html
    assert "Still active" in html  # HQ BioTime: access found open again
    assert "PermissionDeniedError: no." in html  # Doors: the newest message failed
    assert html.count("Keep ours") == 3  # WT: drift in three fields
    assert html.count("(terminated)") == 0 and html.count("/people/") >= 13  # reports listed


def test_termination_text_names_accounts_by_what_their_vendor_can_do(client_as):
    """Given accounts that can and cannot change people, the page says what a termination does."""
    biotime = VendorAccountFactory(kind="biotime", name="HQ BioTime")
    VendorAccountFactory(kind="worktime", name="WT", options={}, credentials={"api_key": "k"})
    VendorAccountFactory(kind="biostar", name="Doors", push_enabled=False)
    VendorAccountFactory(kind="zeitstrom", name="Demo Zeitstrom", options={})
    VendorAccountFactory(kind="q2", name="Demo Q2", options={"company_id": "c"})
    person = PersonFactory()
    link_person_to(biotime, person)

    html = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()

    assert (
        "at once in every system that holds this person: HQ BioTime records a resignation." in html
    )
    assert "WT holds no record of this person: nothing to revoke there." in html
    assert "does not change people stay as they are: Demo Q2, Demo Zeitstrom, Doors." in html
    assert "sent to BioTime as the reason for leaving" in html


def test_invalid_termination_keeps_the_revocation_text(client_as):
    wt = VendorAccountFactory(kind="worktime", name="WT", options={}, credentials={"api_key": "k"})
    person = PersonFactory()
    link_person_to(wt, person)
    response = client_as("hr").post(
        reverse("people:person-terminate", args=[person.pk]),
        {"termination_date": "2026-11-20", "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert "holds this person: WT removes the employee." in response.content.decode()


def test_the_polled_systems_table_reads_only_what_it_shows(
    client_as, django_assert_max_num_queries
):
    """While a change is sent the systems table polls: its answer is that table alone."""
    account = VendorAccountFactory(kind="biotime", name="HQ BioTime")
    person = PersonFactory()
    link_person_to(account, person)
    client = client_as("hr")

    with django_assert_max_num_queries(8):
        html = client.get(
            reverse("people:person-detail", args=[person.pk]), headers={"HX-Request": "true"}
        ).content.decode()

    assert html.lstrip().startswith('<div id="systems"') and "HQ BioTime" in html
    assert "Direct reports" not in html
