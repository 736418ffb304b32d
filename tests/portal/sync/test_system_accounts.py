"""The vendor's own administrator (BioStar user 1, operators): listed, never linked or changed."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from portal.people import services
from portal.people.forms import PersonForm
from portal.people.models import Person
from portal.sync import push
from portal.sync.identity import rematch_unmatched
from portal.sync.models import ExternalLink, OutboxMessage, UnmatchedPerson
from portal.sync.pull import pull_stream
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ADMIN = "1"  # BioStar's built-in administrator, also the login the demo account uses


class Request:
    def __init__(self, user):
        self.user = user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


def pull_people(wired):
    run = pull_stream(wired.account.pk, "people", transport=wired.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    return run


def drain(wired):
    return push.drain(transport=wired.transport, sleep=lambda s: None)


def biostar_admin(wired):
    return wired.simulator.users[ADMIN]


def test_a_pull_never_links_or_creates_the_vendor_administrator(biostar):
    """Given a Workgate person whose code is the administrator's user id, and an account that
    creates people found only there, the administrator still only waits, marked."""
    biostar.account.import_new_people = True
    biostar.account.save()
    namesake = PersonFactory(employee_code=ADMIN)

    pull_people(biostar)

    assert not ExternalLink.objects.filter(account=biostar.account, vendor_id=ADMIN).exists()
    entry = UnmatchedPerson.objects.get(account=biostar.account, vendor_id=ADMIN)
    assert entry.system_account is True
    assert not Person.objects.filter(employee_code=ADMIN).exclude(pk=namesake.pk).exists()
    # ordinary users of the same pull were created and linked
    assert ExternalLink.objects.filter(account=biostar.account).count() > 10
    assert not UnmatchedPerson.objects.filter(
        system_account=False, account=biostar.account
    ).exists()

    assert rematch_unmatched() == 0  # HR adding people later does not link it either
    assert UnmatchedPerson.objects.filter(vendor_id=ADMIN, account=biostar.account).exists()


def test_the_queue_shows_a_system_account_without_link_or_create_buttons(biostar, client_as):
    pull_people(biostar)
    entry = UnmatchedPerson.objects.get(account=biostar.account, vendor_id=ADMIN)

    # listed after everyone HR can act on: on the last page
    html = client_as("hr").get(reverse("sync:unmatched-list") + "?page=last").content.decode()

    row = html[html.index(f'id="resolve-{entry.pk}"') :].split("</tr>")[0]
    assert "Vendor system account" in html
    assert "<form" not in row and "Create as new person" not in row
    assert reverse("sync:unmatched-resolve", args=[entry.pk, "link"]) not in html
    assert html.index("Vendor system account") > html.rindex("Matches nobody")  # listed last

    waiting = UnmatchedPerson.objects.filter(account=biostar.account, system_account=False)
    health = client_as("admin").get(reverse("sync:health")).content.decode()
    assert f"{waiting.count()} unmatched people" in health  # the administrator waits for nobody


@pytest.mark.parametrize("how", ["link", "create"])
def test_resolving_a_system_account_is_refused_and_changes_nothing(biostar, client_as, how):
    pull_people(biostar)
    entry = UnmatchedPerson.objects.get(account=biostar.account, vendor_id=ADMIN)
    person = PersonFactory(employee_code="55555")
    people_before = Person.objects.count()

    response = client_as("hr").post(
        reverse("sync:unmatched-resolve", args=[entry.pk, how]),
        {"employee_code": person.employee_code},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "own administrator or operator account" in html and "Nothing was changed" in html
    assert not ExternalLink.objects.filter(account=biostar.account, vendor_id=ADMIN).exists()
    assert Person.objects.count() == people_before
    assert UnmatchedPerson.objects.filter(pk=entry.pk).exists()


def test_a_person_linked_earlier_to_the_administrator_is_not_pushed_to_it(
    biostar, user_with_role, client_as
):
    """A link made before system accounts were known (matched by code): the next change to the
    person parks with BioStar's refusal, the administrator stays as it was, and both the person
    page and the health page say why."""
    hr = Request(user_with_role("hr"))
    person = PersonFactory(employee_code=ADMIN, first_name="Ada", last_name="Admin")
    ExternalLink.objects.create(
        account=biostar.account,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        vendor_id=ADMIN,
        vendor_code=ADMIN,
    )
    name_before = biostar_admin(biostar).name
    form = PersonForm(
        {
            "employee_code": ADMIN,
            "first_name": "Adele",
            "last_name": "Admin",
            "email": "",
            "phone": "",
            "hire_date": "",
        },
        instance=person,
    )
    assert form.is_valid(), form.errors
    services.save_person(form, hr)

    drain(biostar)

    message = OutboxMessage.objects.get(account=biostar.account)
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 1
    assert message.last_error.startswith("SystemAccountError")
    assert "administrator or operator account; Workgate never links or changes it" in (
        message.last_error
    )
    assert biostar_admin(biostar).name == name_before
    biostar.account.refresh_from_db()
    assert biostar.account.paused_at is None  # one refused record, not a broken account

    client = client_as("admin")
    person_page = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Not updated" in person_page and "Workgate never links or changes it" in person_page
    health = client.get(reverse("sync:health")).content.decode()
    assert "Changes that could not be sent" in health and "never links or changes it" in health


def test_a_hire_whose_code_finds_the_administrator_is_refused_not_linked(biostar, user_with_role):
    hr = Request(user_with_role("hr"))
    form = PersonForm(
        {"employee_code": ADMIN, "first_name": "Otto", "last_name": "Other", "hire_date": ""}
    )
    assert form.is_valid(), form.errors
    services.save_person(form, hr)

    drain(biostar)

    message = OutboxMessage.objects.get(account=biostar.account)
    assert message.status == OutboxMessage.Status.FAILED
    assert "administrator or operator account; Workgate never links or changes it" in (
        message.last_error
    )
    assert not ExternalLink.objects.filter(account=biostar.account).exists()
