import pytest
from django.db import connection
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.sync.models import VendorAccount
from tests.factories import VendorAccountFactory

pytestmark = pytest.mark.django_db

SECRET = "very-secret-vendor-pw-123"


def biotime_form(**overrides):
    data = {
        "kind": "biotime",
        "name": "HQ BioTime",
        "base_url": "https://biotime.example.com:8090",
        "time_zone": "Europe/Berlin",
        "verify_tls": "on",
        "ca_certificate": "",
        "enabled": "on",
        "pull_enabled": "on",
        "push_enabled": "on",
        "option_username": "api",
        "option_login_kind": "jwt",
        "secret_password": SECRET,
    }
    data.update(overrides)
    return data


def raw_credentials(account_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM sync_vendoraccount WHERE id = %s", [account_id])
        return cursor.fetchone()[0]


def test_admin_adds_account_and_secret_is_encrypted_at_rest(client_as):
    response = client_as("admin").post(reverse("sync:account-add"), biotime_form())
    assert response.status_code == 302
    account = VendorAccount.objects.get(name="HQ BioTime")
    assert account.credentials == {"password": SECRET}
    assert account.options == {"username": "api", "login_kind": "jwt"}
    stored = raw_credentials(account.pk)
    assert SECRET not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


def test_secret_is_never_rendered_back(client_as):
    account = VendorAccountFactory(credentials={"password": SECRET})
    client = client_as("admin")
    for url in [reverse("sync:account-edit", args=[account.pk]), reverse("sync:account-list")]:
        assert SECRET not in client.get(url).content.decode()


def test_editing_with_blank_secret_keeps_the_saved_one(client_as):
    account = VendorAccountFactory(credentials={"password": SECRET})
    response = client_as("admin").post(
        reverse("sync:account-edit", args=[account.pk]),
        biotime_form(name=account.name, secret_password="", base_url="https://new.example.com"),
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.credentials == {"password": SECRET}
    assert account.base_url == "https://new.example.com"


def test_changes_are_audited_without_secret_values(client_as):
    account = VendorAccountFactory(credentials={"password": SECRET})
    client_as("admin").post(
        reverse("sync:account-edit", args=[account.pk]),
        biotime_form(name=account.name, secret_password="a-brand-new-secret", enabled=""),
    )
    entry = AuditEntry.objects.get(action="vendor_account.changed")
    assert entry.before["enabled"] is True and entry.after["enabled"] is False
    assert entry.after["secrets_replaced"] == ["password"]
    assert "a-brand-new-secret" not in str(entry.before) + str(entry.after)
    assert SECRET not in str(entry.before) + str(entry.after)
    assert entry.actor_label == "admin"


def test_bad_input_is_reported_next_to_the_field_and_nothing_is_saved(client_as):
    response = client_as("admin").post(
        reverse("sync:account-add"),
        biotime_form(
            base_url="not a url",
            time_zone="Mars/Olympus",
            secret_password="",
            ca_certificate="hello",
        ),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="account-form"')
    assert "Enter a valid URL." in html
    assert "Unknown time zone" in html
    assert "This is not a PEM certificate" in html
    assert "This field is required." in html  # the password on a new account
    assert 'value="HQ BioTime"' in html  # what was typed is kept
    assert not VendorAccount.objects.exists()


@pytest.mark.parametrize("address", ["ftp://biotime.example.com", "file:///etc/passwd"])
def test_an_address_that_is_not_http_or_https_is_refused_at_the_field(client_as, address):
    response = client_as("admin").post(
        reverse("sync:account-add"), biotime_form(base_url=address), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not VendorAccount.objects.exists()


def test_htmx_kind_switch_shows_that_kinds_credentials(client_as):
    response = client_as("admin").get(
        reverse("sync:account-add"), {"kind": "q2", "name": "Typed"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'name="option_company_id"' in html and 'name="secret_developer_token"' in html
    assert 'name="secret_password"' not in html
    assert 'value="Typed"' in html


def test_valid_htmx_post_answers_with_a_client_redirect(client_as):
    response = client_as("admin").post(
        reverse("sync:account-add"), biotime_form(), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("sync:account-list")


def test_kind_cannot_change_on_edit(client_as):
    account = VendorAccountFactory()
    client_as("admin").post(
        reverse("sync:account-edit", args=[account.pk]), biotime_form(name=account.name, kind="q2")
    )
    account.refresh_from_db()
    assert account.kind == "biotime"


@pytest.mark.parametrize("role", ["hr", "security", "manager"])
def test_only_administrators_manage_accounts(role, client_as):
    client = client_as(role)
    assert client.get(reverse("sync:account-add")).status_code == 403
    assert client.post(reverse("sync:account-add"), biotime_form()).status_code == 403
    assert not VendorAccount.objects.exists()


def test_post_without_csrf_token_is_refused(user_with_role):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role("admin"))
    assert client.post(reverse("sync:account-add"), biotime_form()).status_code == 403
    assert not VendorAccount.objects.exists()


def test_repr_of_an_account_carries_no_secret():
    account = VendorAccountFactory(credentials={"password": SECRET})
    assert SECRET not in repr(account) and SECRET not in str(account)


@pytest.mark.parametrize(
    "kind, offered", [("zeitstrom", True), ("worktime", True), ("biotime", False), ("q2", False)]
)
def test_receiving_punches_is_offered_only_where_the_api_takes_them(client_as, kind, offered):
    html = client_as("admin").get(reverse("sync:account-add") + f"?kind={kind}").content.decode()
    assert ('name="receives_punches"' in html) == offered


def test_switching_receiving_on_remembers_since_when_and_off_forgets_it():
    account = VendorAccountFactory(kind="zeitstrom")
    assert account.receives_punches_since is None
    account.receives_punches = True
    account.save()
    since = account.receives_punches_since
    assert since is not None
    account.save()
    assert account.receives_punches_since == since  # an unrelated edit keeps it
    account.receives_punches = False
    account.save()
    assert account.receives_punches_since is None
