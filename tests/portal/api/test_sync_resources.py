"""/api/v1/vendor-accounts/, /sync-runs/, /outbox/, /audit/."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.models import OutboxMessage, SyncRun, VendorAccount
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.api.twins import audit_trail, last_audit_id

pytestmark = pytest.mark.django_db

SECRET = "very-secret-vendor-pw-123"


def account_json(**overrides):
    data = {
        "kind": "biotime",
        "name": "HQ BioTime",
        "base_url": "https://biotime.example.com:8090",
        "options": {"username": "api", "login_kind": "jwt"},
        "secrets": {"password": SECRET},
    }
    return data | overrides


def test_no_secret_is_ever_returned(api_as):
    account = VendorAccountFactory()
    api = api_as("admin")
    for body in (
        api.get("/api/v1/vendor-accounts/").content,
        api.get(f"/api/v1/vendor-accounts/{account.pk}/").content,
    ):
        assert b"s3cret-vendor-password" not in body and b"credentials" not in body
    assert api.get(f"/api/v1/vendor-accounts/{account.pk}/").json()["secrets_saved"] == ["password"]


def test_admin_adds_an_account_audited_like_the_page(api_as, client_as):
    start = last_audit_id()
    client_as("admin").post(
        reverse("sync:account-add"),
        {
            "kind": "biotime",
            "name": "Page BioTime",
            "base_url": "https://biotime.example.com:8090",
            "time_zone": "Europe/Berlin",
            "verify_tls": "on",
            "enabled": "on",
            "pull_enabled": "on",
            "push_enabled": "on",
            "option_username": "api",
            "option_login_kind": "jwt",
            "secret_password": SECRET,
        },
    )
    page_trail = audit_trail(start, ignore=("name",))
    start = last_audit_id()
    response = api_as("admin").post("/api/v1/vendor-accounts/", account_json(), format="json")
    assert response.status_code == 201, response.json()
    assert SECRET.encode() not in response.content
    assert audit_trail(start, ignore=("name",)) == page_trail
    assert VendorAccount.objects.get(name="HQ BioTime").credentials == {"password": SECRET}


def test_patch_keeps_a_secret_left_out_and_refuses_a_kind_change(api_as):
    account = VendorAccountFactory()
    api = api_as("admin")
    response = api.patch(
        f"/api/v1/vendor-accounts/{account.pk}/",
        {"name": "Renamed", "kind": "zeitstrom"},
        format="json",
    )
    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.name, account.kind) == ("Renamed", "biotime")
    assert account.credentials == {"password": "s3cret-vendor-password"}


def test_bad_account_input_names_the_fields(api_as):
    response = api_as("admin").post(
        "/api/v1/vendor-accounts/",
        account_json(base_url="ftp://x", time_zone="Mars/Base"),
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"base_url", "time_zone"}
    assert (
        api_as("admin")
        .post("/api/v1/vendor-accounts/", {"name": "x"}, format="json")
        .json()["errors"][0]["field"]
        == "kind"
    )


@pytest.mark.parametrize("role", ["hr", "guard", "manager"])
def test_only_administrators_see_or_write_accounts(api_as, role):
    account = VendorAccountFactory()
    api = api_as(role)
    assert api.get("/api/v1/vendor-accounts/").status_code == 403
    assert api.post("/api/v1/vendor-accounts/", account_json(), format="json").status_code == 403
    assert api.post(f"/api/v1/vendor-accounts/{account.pk}/sync/").status_code == 403


def test_sync_and_check_are_queued_and_audited(api_as):
    account = VendorAccountFactory()
    api = api_as("admin")
    assert api.post(f"/api/v1/vendor-accounts/{account.pk}/sync/").status_code == 202
    assert api.post(f"/api/v1/vendor-accounts/{account.pk}/check/").status_code == 202
    assert set(
        AuditEntry.objects.filter(object_type="sync.VendorAccount").values_list("action", flat=True)
    ) == {
        "vendor_account.sync_requested",
        "vendor_account.check_requested",
    }


def outbox_message(account, person, status="failed"):
    return OutboxMessage.objects.create(
        account=account,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        idempotency_key=f"k{OutboxMessage.objects.count()}",
        status=status,
        attempts=8,
        last_error="boom",
        scheduled_for=timezone.now(),
    )


def test_a_failed_message_is_retried_like_on_the_health_page(api_as, client_as):
    account, person = VendorAccountFactory(), PersonFactory()
    twin, message = outbox_message(account, person), outbox_message(account, person)
    start = last_audit_id()
    client_as("admin").post(reverse("sync:outbox-retry", args=[twin.pk]))
    page_trail = audit_trail(start)
    start = last_audit_id()
    api = api_as("admin")
    response = api.post(f"/api/v1/outbox/{message.pk}/retry/")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert audit_trail(start) == page_trail
    assert api.post(f"/api/v1/outbox/{message.pk}/retry/").status_code == 409
    assert api_as("hr").post(f"/api/v1/outbox/{message.pk}/retry/").status_code == 403


def test_logs_page_by_cursor_newest_first(api_as):
    account = VendorAccountFactory()
    runs = [SyncRun.objects.create(account=account, stream="people") for _ in range(5)]
    for n in range(5):
        audit.record("test.thing", actor_label=f"n{n}")
    api = api_as("admin")
    first = api.get("/api/v1/sync-runs/", {"page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [runs[4].pk, runs[3].pk]
    assert "count" not in first
    second = api.get(first["next"].replace("http://testserver", "")).json()
    assert [r["id"] for r in second["results"]] == [runs[2].pk, runs[1].pk]
    entries = api.get("/api/v1/audit/", {"action": "test.thing", "page_size": 3}).json()
    assert [e["actor_label"] for e in entries["results"]] == ["n4", "n3", "n2"]
    assert api.get("/api/v1/audit/", {"cursor": "garbage"}).status_code == 404


def test_the_audit_log_is_read_only_and_for_administrators(api_as):
    audit.record("test.thing")
    entry = AuditEntry.objects.get()
    api = api_as("admin")
    assert api.delete(f"/api/v1/audit/{entry.pk}/").status_code == 405
    assert api.post("/api/v1/audit/", {}, format="json").status_code == 405
    assert api_as("hr").get("/api/v1/audit/").status_code == 403
