import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "people:person-list": "hr",
    "doors:door-list": "guard",
    "doors:lockdown": "guard",
    "devices:device-list": "guard",
    "doors:alarm-list": "guard",
    "doors:event-list": "guard",
    "attendance:timecard-list": "manager",
    "attendance:grid": "manager",
    "sync:account-list": "admin",
    "core:audit-list": "admin",
    "sync:health": "admin",
    "sync:unmatched-list": "hr",
    "sync:problems": "hr",
    "people:offboarding-list": "hr",
    "people:department-list": "hr",
    "people:position-list": "hr",
    "people:site-list": "hr",
    "sync:rule-list": "hr",
}


@pytest.mark.parametrize("url_name,role", sorted(PAGES.items()))
def test_each_page_opens_for_its_role_and_shows_its_empty_state(url_name, role, client_as):
    response = client_as(role).get(reverse(url_name))
    assert response.status_code == 200
    assert b'class="empty"' in response.content


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_pages_refuse_a_user_without_the_permission_and_say_what_is_missing(url_name, client_as):
    # HR sees every team's timecards, so the guard is the one without timecard permissions
    role = "manager" if PAGES[url_name] != "manager" else "guard"
    response = client_as(role).get(reverse(url_name))
    assert response.status_code == 403
    assert "This page needs the permission" in response.content.decode()
    assert "Ask an administrator" in response.content.decode()


def test_list_page_htmx_request_returns_only_the_table_partial(client_as):
    response = client_as("hr").get(reverse("people:person-list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="person-table">')
    assert b"<html" not in response.content


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
