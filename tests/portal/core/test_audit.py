import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory

from portal.core import audit
from portal.core.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(user_with_role):
    return audit.record("test.happened", actor=user_with_role("admin"), after={"x": 1})


def test_audit_entry_refuses_save_after_creation(entry):
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.happened"


def test_audit_entry_refuses_delete(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_queryset_refuses_bulk_update_and_delete(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.happened"


def test_deleting_the_actor_keeps_the_entry_and_its_label(entry):
    actor_id = entry.actor_id
    entry.actor.delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor_label == "admin"
    assert kept.actor_id == actor_id


def test_admin_offers_no_add_change_or_delete(entry, user_with_role):
    request = RequestFactory().get("/admin/")
    request.user = user_with_role("admin")
    model_admin = admin_site._registry[AuditEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_record_takes_actor_and_ip_from_request(user_with_role):
    request = RequestFactory().post("/x", REMOTE_ADDR="10.1.2.3")
    request.user = user_with_role("hr")
    entry = audit.record("person.changed", request=request, before={"a": 1}, after={"a": 2})
    assert (entry.actor_label, entry.ip_address) == ("hr", "10.1.2.3")


def test_changed_values_keeps_only_differences():
    before, after = audit.changed_values({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})
    assert before == {"b": 2, "c": None}
    assert after == {"b": 3, "c": 4}
