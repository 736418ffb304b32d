import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core.heartbeat import beat
from portal.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "role,panels",
    [
        ("hr", ["panel-people", "panel-time"]),  # HR sees every team's timecards
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
