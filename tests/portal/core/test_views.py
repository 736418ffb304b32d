import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core.heartbeat import beat
from portal.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

PAGES = {
    "people:person-list": "hr",
    "doors:door-list": "guard",
    "devices:device-list": "guard",
    "attendance:timecard-list": "manager",
    "sync:account-list": "admin",
    "core:audit-list": "admin",
    "sync:health": "admin",
    "sync:unmatched-list": "hr",
}


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url_name,role", sorted(PAGES.items()))
def test_each_page_opens_for_its_role_and_shows_its_empty_state(url_name, role, client_as):
    response = client_as(role).get(reverse(url_name))
    assert response.status_code == 200
    assert b'class="empty"' in response.content


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_pages_refuse_a_user_without_the_permission_and_say_what_is_missing(url_name, client_as):
    role = "manager" if PAGES[url_name] != "manager" else "hr"
    response = client_as(role).get(reverse(url_name))
    assert response.status_code == 403
    assert "This page needs the permission" in response.content.decode()
    assert "Ask an administrator" in response.content.decode()


def test_list_page_htmx_request_returns_only_the_table_partial(client_as):
    response = client_as("hr").get(reverse("people:person-list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="person-table">')
    assert b"<html" not in response.content


@pytest.mark.parametrize(
    "role,panels",
    [
        ("hr", ["panel-people"]),
        ("guard", ["panel-doors"]),
        ("manager", ["panel-time"]),
        ("admin", ["panel-people", "panel-doors", "panel-time", "panel-accounts"]),
    ],
)
def test_dashboard_shows_one_panel_per_role_area(
    role, panels, client_as, django_assert_max_num_queries
):
    client = client_as(role)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("core:dashboard")).content.decode()
    shown = [
        p
        for p in ["panel-people", "panel-doors", "panel-time", "panel-accounts"]
        if f'id="{p}"' in html
    ]
    assert shown == panels


def test_admin_dashboard_reports_a_live_worker_from_its_heartbeat(client_as):
    beat("worker@test")
    html = client_as("admin").get(reverse("core:dashboard")).content.decode()
    assert "Worker and beat running" in html
    assert "worker@test" in html


def test_admin_dashboard_warns_when_the_heartbeat_is_stale(client_as):
    WorkerHeartbeat.objects.create(
        hostname="worker@old", last_beat_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    html = client_as("admin").get(reverse("core:worker-status")).content.decode()
    assert "No heartbeat for" in html
    assert 'class="status-line bad"' in html or "status-line bad" in html


def test_admin_dashboard_says_when_no_worker_ever_reported(client_as):
    html = client_as("admin").get(reverse("core:dashboard")).content.decode()
    assert "No worker has reported yet" in html


def test_worker_status_is_for_administrators_only(client_as):
    assert client_as("hr").get(reverse("core:worker-status")).status_code == 403


def test_login_locks_out_after_five_failures(client, user_with_role):
    user_with_role("hr")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "hr", "password": "wrong"})
    assert response.status_code in (403, 429)
    assert "Too many failed sign-ins" in response.content.decode()
    # even the right password is refused while locked
    response = client.post(
        reverse("login"), {"username": "hr", "password": "correct-horse-battery"}
    )
    assert "Too many failed sign-ins" in response.content.decode()


def test_wrong_password_says_what_to_do(client, user_with_role):
    user_with_role("hr")
    response = client.post(reverse("login"), {"username": "hr", "password": "wrong"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_login_then_logout(client, user_with_role):
    user_with_role("hr")
    response = client.post(
        reverse("login"), {"username": "hr", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("core:dashboard")).status_code == 302
