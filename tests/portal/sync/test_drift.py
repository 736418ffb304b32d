"""Drift: a vendor-side change to a field Workgate owns is shown with both values, never copied
silently; HR keeps ours (pushed again) or takes theirs (adopted and pushed everywhere)."""

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.sync.models import OutboxMessage, PersonDrift
from portal.sync.pull import pull_stream
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, biostar_user, hire
from tests.portal.sync.test_push_reconcile import drain, vendor_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def change_in_biostar(biostar, **user):
    client = biostar.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": biostar.simulator.admin_password}
    )
    answer = client.put(
        "/api/users/90001",
        json={"User": user},
        headers={"bs-session-id": session.headers["bs-session-id"]},
    )
    assert answer.status_code == 200, answer.text


def pulled(biostar):
    run = pull_stream(biostar.account.pk, "people", transport=biostar.transport, full=True)
    assert run.status == "succeeded", run.error


def test_every_pushed_field_changed_in_the_vendor_is_drift_with_both_values(biostar, hr, client_as):
    person = hire(hr, phone="+49 30 1111")
    drain(biostar)
    change_in_biostar(
        biostar, name="Nina Nyström", phone="+49 30 9999", email="nina@elsewhere.example"
    )
    pulled(biostar)
    person.refresh_from_db()
    assert (person.last_name, person.phone) == ("Nielsen", "+49 30 1111")  # not overwritten
    drifts = {d.field: (d.portal_value, d.vendor_value) for d in person.drifts.all()}
    assert drifts == {
        "last_name": ("Nielsen", "Nyström"),
        "phone": ("+49 30 1111", "+49 30 9999"),
        "email": ("n90001@example.com", "nina@elsewhere.example"),
    }
    html = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Phone is “+49 30 9999” there, “+49 30 1111” here." in html
    assert "Keep ours" in html and "Take theirs" in html


def test_keep_ours_pushes_workgates_value_back_to_that_system(biostar, hr, client_as):
    person = hire(hr, phone="+49 30 1111")
    drain(biostar)
    change_in_biostar(biostar, phone="+49 30 9999")
    pulled(biostar)
    drift = PersonDrift.objects.get(person=person, field="phone")

    client_as("hr").post(reverse("sync:drift-resolve", args=[drift.pk, "keep"]))
    assert not PersonDrift.objects.filter(pk=drift.pk).exists()
    message = OutboxMessage.objects.filter(status="pending").get()
    assert message.account == biostar.account
    drain(biostar)
    assert biostar_user(biostar, "90001")["phone"] == "+49 30 1111"
    pulled(biostar)
    assert not person.drifts.exists()
    entry = AuditEntry.objects.get(action="drift.kept_ours")
    assert entry.after == {"phone": "+49 30 1111"} and entry.before["phone"] == "+49 30 9999"


def test_take_theirs_adopts_the_value_and_pushes_it_to_the_other_systems(
    biostar, clock, hr, client_as
):
    worktime = wire("worktime", demo_simulator("worktime", clock))
    person = hire(hr, email="nina.nielsen@example.com")
    drain(biostar)
    drain(worktime)
    change_in_biostar(biostar, name="Nina Nyström")
    pulled(biostar)
    drift = PersonDrift.objects.get(person=person, field="last_name")

    client_as("hr").post(reverse("sync:drift-resolve", args=[drift.pk, "take"]))
    person.refresh_from_db()
    assert person.last_name == "Nyström"
    assert not person.drifts.exists()
    drain(worktime)
    drain(biostar)
    found = vendor_person(worktime, "90001", email="nina.nielsen@example.com")
    assert found.last_name == "Nyström"  # reached the other system through the people service
    change = AuditEntry.objects.get(action="person.changed")
    assert change.after == {"last_name": "Nyström", "from": biostar.account.name}
    assert AuditEntry.objects.filter(action="drift.took_theirs").exists()


def test_a_status_drift_cannot_be_taken_only_kept(biostar, hr, client_as):
    from django.utils import timezone

    from portal.people import services

    person = hire(hr)
    drain(biostar)
    services.terminate_person(person, on=timezone.localdate(), reason="Left", request=hr)
    drain(biostar)
    change_in_biostar(biostar, disabled="false", expiry_datetime="2030-12-31T23:59:00.00Z")
    pulled(biostar)
    drift = PersonDrift.objects.get(person=person, field="status")
    assert (drift.portal_value, drift.vendor_value) == ("terminated", "active")
    client = client_as("hr")
    client.post(reverse("sync:drift-resolve", args=[drift.pk, "take"]))
    person.refresh_from_db()
    assert person.status == "terminated"
    assert PersonDrift.objects.filter(pk=drift.pk).exists()

    client.post(reverse("sync:drift-resolve", args=[drift.pk, "keep"]))
    drain(biostar)
    assert biostar_user(biostar, "90001")["disabled"] == "true"
