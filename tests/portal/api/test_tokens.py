"""API tokens: stored hashed, shown once, revocable, expiring, rate limited per token."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api import tokens
from portal.api.models import ApiToken
from portal.api.throttling import PerTokenRateThrottle
from portal.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/sites/"


def client_with(text: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def test_only_a_prefix_and_a_sha256_digest_are_stored(user_with_role):
    row, text = tokens.create_token(user_with_role("hr"), name="payroll")
    assert text.startswith(f"wg_{row.prefix}_")
    assert row.digest == hashlib.sha256(text.encode()).hexdigest()
    assert text not in str(ApiToken.objects.filter(pk=row.pk).values().get())
    entry = AuditEntry.objects.get(action="api_token.created")
    assert text not in str(entry.after) and entry.after["prefix"] == row.prefix


def test_bearer_works_as_well_as_token(user_with_role):
    _row, text = tokens.create_token(user_with_role("hr"), name="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "mangle", ["wrong-secret", "unknown-prefix", "malformed", "revoked", "expired", "inactive-user"]
)
def test_tokens_that_do_not_sign_in(user_with_role, mangle):
    user = user_with_role("hr")
    row, text = tokens.create_token(user, name="x")
    if mangle == "wrong-secret":
        text = text[:-4] + "AAAA"
    elif mangle == "unknown-prefix":
        text = "wg_00000000_" + text.split("_", 2)[2]
    elif mangle == "malformed":
        text = "not a token"
    elif mangle == "revoked":
        tokens.revoke_token(row)
    elif mangle == "expired":
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        user.is_active = False
        user.save()
    response = client_with(text).get(URL)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_last_used_is_written_at_most_once_a_minute(user_with_role, django_assert_num_queries):
    row, text = tokens.create_token(user_with_role("hr"), name="x")
    client = client_with(text)
    client.get(URL)
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    client.get(URL)
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(URL)
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first


def test_each_token_has_its_own_rate_and_429_says_when_to_come_back(user_with_role, monkeypatch):
    # the rates DRF read from settings at import; a test sets its own small one
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"api": "3/minute"})
    user = user_with_role("hr")
    first = client_with(tokens.create_token(user, name="a")[1])
    second = client_with(tokens.create_token(user, name="b")[1])
    assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(URL)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["code"] == "throttled"
    assert second.get(URL).status_code == 200


def test_the_page_creates_a_token_shown_once_then_lists_it(client_as):
    client = client_as("hr")
    page = client.get(reverse("account:tokens"))
    assert page.status_code == 200 and b'class="empty"' in page.content
    response = client.post(
        reverse("account:tokens"), {"name": "payroll export"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="token-panel"')
    row = ApiToken.objects.get(name="payroll export")
    shown = html.split('id="new-token" class="token" readonly value="')[1].split('"')[0]
    assert row.digest == hashlib.sha256(shown.encode()).hexdigest()
    again = client.get(reverse("account:tokens")).content.decode()
    assert shown not in again and f"wg_{row.prefix}_" in again
    assert client_with(shown).get(URL).status_code == 200


def test_an_invalid_token_form_answers_with_the_form_and_its_errors(client_as):
    response = client_as("hr").post(
        reverse("account:tokens"),
        {"name": "", "expires_on": "2000-01-01"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#token-form"
    assert html.lstrip().startswith('<form id="token-form"')
    assert "Choose a day after today." in html and "This field is required." in html
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page_is_audited_and_refuses_the_token(client_as):
    client = client_as("hr")
    user = ApiToken._meta.get_field("user").related_model.objects.get(username="hr")
    row, text = tokens.create_token(user, name="old")
    response = client.post(
        reverse("account:token-revoke", args=[row.pk]), headers={"HX-Request": "true"}
    )
    assert "Revoked “old”" in response.content.decode()
    assert AuditEntry.objects.filter(action="api_token.revoked", object_id=str(row.pk)).exists()
    assert client_with(text).get(URL).status_code == 401


def test_nobody_revokes_someone_elses_token(client_as, user_with_role):
    row, text = tokens.create_token(user_with_role("guard"), name="theirs")
    response = client_as("hr").post(reverse("account:token-revoke", args=[row.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("account:tokens"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
