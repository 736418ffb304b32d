"""Changing a person's employee code, each vendor its way, through the simulators: BioTime
renames the employee in place; BioStar (whose user_id is its key) gets a new user with the same
details and access groups and the old one is disabled: never two active records."""

import pytest

from portal.people.forms import PersonForm
from portal.sync.models import ExternalLink, OutboxMessage
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, biostar_user, hire
from tests.portal.sync.test_push_reconcile import drain, edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def give_access_group(biostar, user_id):
    group = next(iter(biostar.simulator.access_groups.values()))
    client = biostar.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": biostar.simulator.admin_password}
    )
    answer = client.put(
        f"/api/users/{user_id}",
        json={"User": {"access_groups": [{"id": str(group.id)}]}},
        headers={"bs-session-id": session.headers["bs-session-id"]},
    )
    assert answer.status_code == 200, answer.text
    return str(group.id)


def group_ids(user):
    groups = user.get("access_groups") or []
    return [str(g["id"]) for g in (groups.values() if isinstance(groups, dict) else groups)]


def test_a_new_code_moves_the_biostar_user_and_disables_the_old_one(biostar, hr):
    person = hire(hr)
    drain(biostar)
    group = give_access_group(biostar, "90001")

    edit(hr, person, employee_code="90011")
    drain(biostar)
    message = OutboxMessage.objects.filter(action="update").get()
    assert message.status == "sent", message.last_error
    old, new = biostar_user(biostar, "90001"), biostar_user(biostar, "90011")
    assert old["disabled"] == "true"  # never left active
    assert new.get("disabled") != "true" and new["name"] == "Nina Nielsen"
    assert new.get("email") == "n90001@example.com"  # the e-mail moved with the person
    assert group in group_ids(new)
    link = ExternalLink.objects.get(account=biostar.account, object_id=person.pk)
    assert (link.vendor_id, link.vendor_code) == ("90011", "90011")

    # the next change reaches the new user and leaves the old one alone
    edit(hr, person, employee_code="90011", phone="+49 40 123")
    drain(biostar)
    assert biostar_user(biostar, "90011")["phone"] == "+49 40 123"
    assert biostar_user(biostar, "90001")["disabled"] == "true"


def test_a_lost_answer_during_the_move_does_not_make_a_second_user(biostar, hr):
    person = hire(hr)
    drain(biostar)
    edit(hr, person, employee_code="90011")
    biostar.simulator.faults.lost_answers = 1
    biostar.simulator.faults.only_paths = ("/api/users",)  # the create of the new user
    drain(biostar)
    biostar.simulator.faults.clear()
    OutboxMessage.objects.filter(status="pending").update(scheduled_for="2000-01-01T00:00Z")
    drain(biostar)
    creates = [p for m, p in biostar.simulator.request_log if m == "POST" and p == "/api/users"]
    assert len(creates) == 2  # the hire and the move, once each
    assert biostar_user(biostar, "90001")["disabled"] == "true"
    link = ExternalLink.objects.get(account=biostar.account, object_id=person.pk)
    assert link.vendor_id == "90011"


def test_a_new_code_renames_the_biotime_employee_in_place(clock, hr):
    biotime = wire("biotime", demo_simulator("biotime", clock))
    person = hire(hr)
    drain(biotime)
    before = ExternalLink.objects.get(account=biotime.account, object_id=person.pk)

    edit(hr, person, employee_code="90011")
    drain(biotime)
    message = OutboxMessage.objects.filter(action="update").get()
    assert message.status == "sent", message.last_error
    link = ExternalLink.objects.get(account=biotime.account, object_id=person.pk)
    assert (link.vendor_id, link.vendor_code) == (before.vendor_id, "90011")
    from portal.sync.connectors import connector_for

    with connector_for(biotime.account, transport=biotime.transport, sleep=lambda s: 0) as c:
        assert c.find_person("90001") is None
        assert c.find_person("90011").vendor_id == before.vendor_id


def test_the_person_form_says_what_a_new_code_does_in_each_system(hr):
    person = hire(hr)
    help_text = PersonForm(instance=person).fields["employee_code"].help_text
    assert "BioStar X cannot rename a user" in help_text and "disables the old one" in help_text
    assert "BioTime renames the employee in place" in help_text
    assert "cannot rename" not in PersonForm().fields["employee_code"].help_text  # a new person
