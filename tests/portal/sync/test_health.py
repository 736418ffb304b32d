"""The sync health page: what ran, what failed and why, with buttons that are audited."""

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.sync.pull import pull_stream
from portal.sync.services import check_connection

pytestmark = pytest.mark.django_db


def test_health_shows_counts_of_the_last_runs_and_their_errors(
    q2, client_as, django_assert_max_num_queries
):
    pull_stream(q2.account.pk, "people", transport=q2.transport)
    q2.simulator.rotate_token()
    pull_stream(q2.account.pk, "time_cards", transport=q2.transport)
    client = client_as("admin")
    with django_assert_max_num_queries(16):
        html = client.get(reverse("sync:health")).content.decode()
    assert "q2 test" in html and "Errors" in html
    assert "Developer token is not correct." in html


def test_sync_now_and_test_connection_are_audited(
    q2, client_as, django_capture_on_commit_callbacks
):
    client = client_as("admin")
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("sync:account-action", args=[q2.account.pk, "sync"]))
        client.post(reverse("sync:account-action", args=[q2.account.pk, "check"]))
    assert len(callbacks) == 2  # one task each, queued after commit
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"vendor_account.sync_requested", "vendor_account.check_requested"} <= actions
    q2.account.refresh_from_db()
    assert q2.account.check_pending


def test_connection_check_result_is_stored_for_the_page(q2, client_as):
    assert check_connection(q2.account.pk, transport=q2.transport) is True
    q2.account.refresh_from_db()
    assert q2.account.check_ok and "Connected to" in q2.account.check_message
    q2.simulator.rotate_token()
    assert check_connection(q2.account.pk, transport=q2.transport) is False
    q2.account.refresh_from_db()
    assert "not correct" in q2.account.check_message
    assert "not correct" in client_as("admin").get(reverse("sync:health")).content.decode()


def test_health_actions_need_the_administrator_role(q2, client_as):
    client = client_as("hr")
    assert client.get(reverse("sync:health")).status_code == 403
    assert (
        client.post(reverse("sync:account-action", args=[q2.account.pk, "sync"])).status_code == 403
    )
    assert not AuditEntry.objects.exists()


def test_an_unknown_account_action_is_a_404_and_does_nothing(
    q2, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as("admin").post(
            reverse("sync:account-action", args=[q2.account.pk, "explode"])
        )
    assert response.status_code == 404
    assert callbacks == []
    assert not AuditEntry.objects.exists()
