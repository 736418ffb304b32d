"""Optional vendor APIs per account (BioTime 8.0 has no resignations) and BioTime's sweep setting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.biotime.simulator import BioTimeQuirks, BioTimeSimulator
from portal.people import services as people_services
from portal.people.forms import PersonForm
from portal.sync import push
from portal.sync.connectors import connector_for
from portal.sync.models import OutboxMessage, VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.services import check_connection
from tests.portal.sync.conftest import wire

pytestmark = pytest.mark.django_db

NOT_AVAILABLE = (
    "Resignations: not available on this server — terminate people in BioTime&#x27;s console"
)


class Request:
    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def biotime_80(clock):
    """A BioTime 8.0 server: no /personnel/api/resigns/ (it came with 8.5)."""
    return wire("biotime", BioTimeSimulator.demo(clock=clock, quirks=BioTimeQuirks.build_80()))


@pytest.fixture
def biotime_95(clock):
    return wire("biotime", BioTimeSimulator.demo(clock=clock))


def test_a_connection_test_stores_what_the_server_lacks_and_the_pages_say_it(biotime_80, client_as):
    assert check_connection(biotime_80.account.pk, transport=biotime_80.transport) is True
    biotime_80.account.refresh_from_db()
    assert biotime_80.account.server_capabilities == {"resignations": False}

    client = client_as("admin")
    health = client.get(reverse("sync:health")).content.decode()
    edit = client.get(reverse("sync:account-edit", args=[biotime_80.account.pk])).content.decode()
    assert NOT_AVAILABLE in health and NOT_AVAILABLE in edit


@pytest.mark.parametrize(
    ("server", "has_resignations"), [("biotime_80", False), ("biotime_95", True)]
)
def test_a_people_pull_stores_the_servers_capabilities(server, has_resignations, request):
    wired = request.getfixturevalue(server)
    run = pull_stream(wired.account.pk, "people", transport=wired.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    wired.account.refresh_from_db()
    assert wired.account.server_capabilities == {"resignations": has_resignations}


def test_a_server_without_a_capability_shows_nothing_until_probed(biotime_95, client_as):
    html = client_as("admin").get(reverse("sync:health")).content.decode()
    assert "Resignations:" not in html
    VendorAccount.objects.filter(pk=biotime_95.account.pk).update(
        server_capabilities={"resignations": True}
    )
    html = client_as("admin").get(reverse("sync:health")).content.decode()
    assert "Resignations: available on this server." in html


def test_a_resignation_on_biotime_80_parks_with_a_plain_message_and_the_account_runs_on(
    biotime_80, user_with_role, client_as
):
    hr = Request(user_with_role("hr"))
    form = PersonForm(
        {"employee_code": "90088", "first_name": "Rita", "last_name": "Rose", "hire_date": ""}
    )
    assert form.is_valid(), form.errors
    person = people_services.save_person(form, hr)
    push.drain(transport=biotime_80.transport, sleep=lambda s: None)
    assert OutboxMessage.objects.get(action="create").status == "sent"

    people_services.terminate_person(
        person, on=timezone.localdate(), reason="Moved away", request=hr
    )
    push.drain(transport=biotime_80.transport, sleep=lambda s: None)

    message = OutboxMessage.objects.get(action="terminate")
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 1
    assert message.last_error.startswith("UnsupportedError: This BioTime server has no resignation")
    assert "terminate the person in BioTime's console" in message.last_error
    biotime_80.account.refresh_from_db()
    assert biotime_80.account.paused_at is None
    run = pull_stream(
        biotime_80.account.pk, "departments", transport=biotime_80.transport, sleep=lambda s: None
    )
    assert run.status == "succeeded", run.error
    page = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Not updated" in page and "has no resignation API" in page


# -- the late upload sweep ---------------------------------------------------------------------


def biotime_form(**overrides):
    return {
        "kind": "biotime",
        "name": "HQ BioTime",
        "base_url": "https://biotime.example.com:8090",
        "time_zone": "Europe/Berlin",
        "enabled": "on",
        "pull_enabled": "on",
        "push_enabled": "on",
        "option_username": "api",
        "option_login_kind": "jwt",
        "secret_password": "pw",
    } | overrides


def test_the_sweep_setting_starts_at_seven_days_on_the_form(client_as):
    html = client_as("admin").get(reverse("sync:account-add") + "?kind=biotime").content.decode()
    assert "Late upload sweep (days)" in html
    assert 'name="option_late_upload_sweep_days" value="7"' in html


def test_the_sweep_setting_is_saved_and_reaches_the_connector(client_as):
    response = client_as("admin").post(
        reverse("sync:account-add"), biotime_form(option_late_upload_sweep_days="30")
    )
    assert response.status_code == 302
    account = VendorAccount.objects.get(name="HQ BioTime")
    assert account.options["late_upload_sweep_days"] == 30
    with connector_for(account) as connector:
        assert connector.wide_window == timedelta(days=30)


@pytest.mark.parametrize("typed", ["0", "367", "a week"])
def test_a_sweep_outside_one_to_366_days_is_refused_at_the_field(client_as, typed):
    response = client_as("admin").post(
        reverse("sync:account-add"),
        biotime_form(option_late_upload_sweep_days=typed),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not VendorAccount.objects.exists()
    assert "Please correct the fields marked below" in html
    assert "Ensure this value is" in html or "Enter a whole number" in html


def test_the_termination_text_says_which_server_needs_it_done_by_hand(client_as):
    from tests.factories import PersonFactory, VendorAccountFactory, link_person_to

    old = VendorAccountFactory(
        kind="biotime", name="Old BioTime", server_capabilities={"resignations": False}
    )
    doors = VendorAccountFactory(kind="biostar", name="Doors", options={"login_id": "api"})
    person = PersonFactory()
    link_person_to(old, person)
    link_person_to(doors, person)

    html = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()

    assert "Access is revoked at once where Workgate can: Doors disables the user." in html
    assert (
        "Old BioTime cannot take it: resignations are not available on its server — terminate "
        "people in BioTime&#x27;s console" in html
    )
