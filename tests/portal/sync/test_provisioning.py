"""Provisioning rules: which systems a person is created in, disabled in, and their access groups.

Eligibility is tested on its own first; then through HR's services, the outbox drain and the
BioStar X, BioTime and WorkTime One simulators (in-process): what each simulator holds at the end.
"""

import pytest
from django.db import transaction

from portal.people.models import Department, Person, Position, Site
from portal.sync import overrides as override_service
from portal.sync.models import (
    AccessGroup,
    ExternalLink,
    OutboxMessage,
    PendingCreate,
    PersonAccessGroups,
    PersonDrift,
    ProvisioningOverride,
    ProvisioningRule,
)
from portal.sync.outbox import enqueue_person
from portal.sync.provisioning import NO_RULE, NO_RULES_YET, OVERRIDE, RULE, eligible_accounts
from portal.sync.pull import pull_stream
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_offboarding import drain_all
from tests.portal.sync.test_push import Request, biostar_user, hire
from tests.portal.sync.test_push_reconcile import edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


@pytest.fixture
def places():
    bremen = Site.objects.create(name="Bremen Warehouse", code="BRE")
    hamburg = Site.objects.create(name="Hamburg Office", code="HAM")
    logistics = Department.objects.create(name="Logistics", code="LOG")
    driver = Position.objects.create(name="Driver", code="DRV")
    return bremen, hamburg, logistics, driver


def rule(name, accounts, *, site=None, department=None, position=None, groups=()):
    made = ProvisioningRule.objects.create(
        name=name, site=site, department=department, position=position
    )
    made.accounts.set(accounts)
    made.access_groups.set(groups)
    return made


# -- eligibility on its own -----------------------------------------------------------------------
def test_without_rules_every_people_writable_system_takes_a_new_person_but_nothing_moves():
    biotime, biostar = VendorAccountFactory(), VendorAccountFactory(kind="biostar")
    decisions = eligible_accounts(PersonFactory())

    assert {pk: d.should for pk, d in decisions.items()} == {biotime.pk: True, biostar.pk: True}
    assert {d.source for d in decisions.values()} == {NO_RULES_YET}
    assert not any(d.moves for d in decisions.values())


def test_a_rule_matches_on_every_filter_it_sets_and_ignores_the_empty_ones(places):
    bremen, hamburg, logistics, driver = places
    biotime, biostar = VendorAccountFactory(), VendorAccountFactory(kind="biostar")
    rule("Bremen drivers", [biostar], site=bremen, position=driver)
    rule("Everyone in BioTime", [biotime])
    driver_in_bremen = PersonFactory(position=driver, department=logistics)
    driver_in_bremen.sites.set([bremen])
    clerk_in_bremen = PersonFactory(department=logistics)
    clerk_in_bremen.sites.set([bremen])
    driver_in_hamburg = PersonFactory(position=driver)
    driver_in_hamburg.sites.set([hamburg])

    def where(person):
        return {d.account.name for d in eligible_accounts(person).values() if d.should}

    assert where(driver_in_bremen) == {biotime.name, biostar.name}
    assert where(clerk_in_bremen) == where(driver_in_hamburg) == {biotime.name}
    decision = eligible_accounts(driver_in_hamburg)[biostar.pk]
    assert (decision.source, decision.why) == (NO_RULE, "No rule matches")
    assert eligible_accounts(driver_in_bremen)[biostar.pk].source == RULE
    assert "Bremen drivers" in eligible_accounts(driver_in_bremen)[biostar.pk].why


def test_an_override_wins_over_the_rules_both_ways(places):
    bremen, *_ = places
    biotime, biostar = VendorAccountFactory(), VendorAccountFactory(kind="biostar")
    rule("Bremen", [biostar], site=bremen)
    person = PersonFactory()
    person.sites.set([bremen])
    ProvisioningOverride.objects.create(person=person, account=biostar, mode="never")
    ProvisioningOverride.objects.create(person=person, account=biotime, mode="always")

    decisions = eligible_accounts(person)

    assert (decisions[biostar.pk].should, decisions[biostar.pk].source) == (False, OVERRIDE)
    assert (decisions[biotime.pk].should, decisions[biotime.pk].source) == (True, OVERRIDE)


def test_a_system_that_takes_no_people_writes_is_never_decided_for():
    VendorAccountFactory(kind="q2", options={"company_id": "1"})
    biotime = VendorAccountFactory(push_enabled=True)
    VendorAccountFactory(push_enabled=False)

    assert set(eligible_accounts(PersonFactory())) == {biotime.pk}


# -- through the simulators ------------------------------------------------------------------------
@pytest.fixture
def three(biostar, clock):
    return [
        biostar,
        wire("biotime", demo_simulator("biotime", clock)),
        wire("worktime", demo_simulator("worktime", clock)),
    ]


@pytest.fixture
def bremen_rule(three, places):
    biostar, biotime, _ = three
    bremen = places[0]
    return rule("Bremen Warehouse staff", [biostar.account, biotime.account], site=bremen)


def hire_at(hr, site, code="90042", **fields):
    return hire(hr, code=code, sites=[site.pk], **fields)


def linked_in(person) -> set[str]:
    return set(
        ExternalLink.objects.filter(object_id=person.pk, content_type__model="person").values_list(
            "account__kind", flat=True
        )
    )


def test_a_new_bremen_hire_is_created_in_biostar_and_biotime_only(three, bremen_rule, hr, places):
    biostar, biotime, worktime = three

    person = hire_at(hr, places[0])
    drain_all(three)

    assert linked_in(person) == {"biostar", "biotime"}
    assert biostar_user(biostar, "90042")["name"].startswith("Nina")
    assert not PendingCreate.objects.filter(person=person).exists()
    created = OutboxMessage.objects.filter(action="create", status="sent")
    assert {m.account.kind for m in created} == {"biostar", "biotime"}
    assert all(m.payload["provisioned_by"].startswith("Rule") for m in created)
    assert not OutboxMessage.objects.filter(account=worktime.account).exists()


def test_a_move_out_of_bremen_disables_them_in_biostar_and_a_move_back_re_enables(
    three, bremen_rule, hr, places
):
    biostar, biotime, worktime = three
    bremen, hamburg, *_ = places
    person = hire_at(hr, bremen)
    drain_all(three)

    edit(hr, person, sites=[hamburg.pk])
    drain_all(three)

    user = biostar_user(biostar, "90042")
    assert user is not None and user["disabled"] == "true"  # disabled, not deleted
    assert linked_in(person) == {"biostar", "biotime"}  # the records stay linked
    assert not ExternalLink.objects.filter(account=worktime.account).exists()
    person.refresh_from_db()
    assert person.status == Person.Status.ACTIVE  # still employed, only not in those systems
    pull(biostar, "people")
    assert not PersonDrift.objects.filter(person=person).exists()  # disabled there is no drift

    edit(hr, person, sites=[bremen.pk])
    drain_all(three)

    assert biostar_user(biostar, "90042")["disabled"] == "false"
    assert OutboxMessage.objects.filter(action="create").count() == 2  # re-enabled, not recreated


def test_an_unrelated_edit_creates_nothing_even_where_the_rules_would(three, hr, places):
    biostar, biotime, worktime = three
    person = hire_at(hr, places[1])  # no rules yet: every system
    drain_all(three)
    rule("Bremen only", [biostar.account], site=places[0])
    ExternalLink.objects.filter(account=biotime.account).delete()

    edit(hr, person, phone="+49 421 555")
    drain_all(three)

    assert not ExternalLink.objects.filter(account=biotime.account).exists()


def test_never_wins_over_a_matching_rule_and_always_over_none(three, bremen_rule, hr, places):
    biostar, biotime, worktime = three
    person = hire_at(hr, places[0])
    drain_all(three)

    with transaction.atomic():
        override_service.set_overrides(
            person,
            {biostar.account.pk: "never", worktime.account.pk: "always"},
            request=hr,
        )
    drain_all(three)

    assert biostar_user(biostar, "90042")["disabled"] == "true"
    assert linked_in(person) == {"biostar", "biotime", "worktime"}
    assert ProvisioningOverride.objects.filter(person=person).count() == 2


def test_never_before_the_create_ran_means_no_record_is_made(three, bremen_rule, hr, places):
    biostar, *_ = three
    person = hire_at(hr, places[0])

    with transaction.atomic():
        override_service.set_overrides(person, {biostar.account.pk: "never"}, request=hr)
    drain_all(three)

    assert biostar_user(biostar, "90042") is None
    assert linked_in(person) == {"biotime"}


# -- access groups ---------------------------------------------------------------------------------
def pull(wired, stream):
    run = pull_stream(wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None)
    assert run.status == "succeeded", run.error
    return run


def console_sets_groups(wired, user_id, group_ids):
    """Change a user's access groups the way BioStar's own console does: over its API."""
    client = wired.simulator.client()
    session = client.post(
        "/api/login", json={"login_id": "admin", "password": wired.simulator.admin_password}
    )
    answer = client.put(
        f"/api/users/{user_id}",
        json={"User": {"access_groups": [{"id": g} for g in group_ids]}},
        headers={"bs-session-id": session.headers["bs-session-id"]},
    )
    assert answer.status_code == 200, answer.text


@pytest.fixture
def granted(three, bremen_rule, hr, places):
    """A Bremen hire created in BioStar with the rule's group "Bremen Warehouse staff" (the
    groups pulled first), drained: (the BioStar wiring, that group, the person)."""
    biostar, *_ = three
    pull(biostar, "access_groups")
    staff = AccessGroup.objects.get(account=biostar.account, name="Bremen Warehouse staff")
    bremen_rule.access_groups.set([staff])
    person = hire_at(hr, places[0])
    drain_all(three)
    return biostar, staff, person


def test_a_rules_access_groups_and_a_persons_own_reach_the_biostar_simulator(granted, three, hr):
    biostar, staff, person = granted
    extra = AccessGroup.objects.filter(account=biostar.account).exclude(pk=staff.pk).first()

    assert [g.name for g in biostar.simulator.access_groups_of("90042")] == [staff.name]
    message = OutboxMessage.objects.get(account=biostar.account)
    assert message.payload["access_groups"] == [staff.vendor_id]

    with transaction.atomic():
        override_service.set_access_groups(person, biostar.account, [extra], request=hr)
    drain_all(three)

    held = {g.name for g in biostar.simulator.access_groups_of("90042")}
    assert held == {staff.name, extra.name}


def test_the_person_page_shows_the_groups_granted_at_create_before_any_pull(granted, client_as):
    from django.urls import reverse

    biostar, staff, person = granted

    link = ExternalLink.objects.get(account=biostar.account, object_id=person.pk)
    page = client_as("hr").get(reverse("people:person-detail", args=[person.pk]))

    assert link.raw["access_groups"] == [{"id": staff.vendor_id, "name": staff.name}]
    assert f"Access groups: {staff.name} (should be: {staff.name})" in page.content.decode()


def test_a_vendor_side_change_of_access_groups_is_drift_with_keep_and_take(
    granted, three, client_as
):
    from django.urls import reverse

    biostar, staff, person = granted
    other = AccessGroup.objects.filter(account=biostar.account).exclude(pk=staff.pk).first()
    console_sets_groups(biostar, "90042", [other.vendor_id])  # someone in BioStar's console

    pull(biostar, "people")

    drift = PersonDrift.objects.get(person=person, field="access_groups")
    assert (drift.portal_value, drift.vendor_value) == (staff.vendor_id, other.vendor_id)
    page = client_as("hr").get(reverse("people:person-detail", args=[person.pk]))
    assert f"Access groups is “{other.name}” there, “{staff.name}” here" in page.content.decode()

    client_as("hr").post(reverse("sync:drift-resolve", args=[drift.pk, "take"]))
    drain_all(three)

    chosen = PersonAccessGroups.objects.get(person=person, account=biostar.account)
    assert list(chosen.groups.all()) == [other]
    held = {g.name for g in biostar.simulator.access_groups_of("90042")}
    assert held == {staff.name, other.name}  # the rule's group stays granted

    pull(biostar, "people")
    assert not PersonDrift.objects.filter(person=person).exists()


def test_keep_ours_puts_the_rules_access_groups_back(granted, three, client_as):
    from django.urls import reverse

    biostar, staff, person = granted
    console_sets_groups(biostar, "90042", [])
    pull(biostar, "people")
    drift = PersonDrift.objects.get(person=person, field="access_groups")

    client_as("hr").post(reverse("sync:drift-resolve", args=[drift.pk, "keep"]))
    drain_all(three)

    assert [g.name for g in biostar.simulator.access_groups_of("90042")] == [staff.name]


def test_enqueue_carries_the_decision_with_each_message(three, bremen_rule, hr, places):
    person = hire_at(hr, places[0])
    with transaction.atomic():
        messages = enqueue_person(person, "update")
    assert {m.payload["provisioned"] for m in messages} == {True}


def test_a_batch_names_the_granted_access_groups_from_one_read_of_the_mirror(
    three, bremen_rule, hr, places
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    biostar, *_ = three
    pull(biostar, "access_groups")
    staff = AccessGroup.objects.get(account=biostar.account, name="Bremen Warehouse staff")
    bremen_rule.access_groups.set([staff])
    table = AccessGroup._meta.db_table

    def hire_and_drain(codes) -> int:
        for code in codes:
            hire_at(hr, places[0], code=code, email=f"{code}@example.com")
        with CaptureQueriesContext(connection) as seen:
            drain_all(three)
        return sum(table in query["sql"] for query in seen.captured_queries)

    # the access group queries of a batch do not grow with its people
    assert hire_and_drain(["90042"]) == hire_and_drain(["90043", "90044", "90045"])
    links = ExternalLink.objects.filter(account=biostar.account, vendor_code__startswith="9004")
    assert [link.raw["access_groups"] for link in links] == [
        [{"id": staff.vendor_id, "name": staff.name}]
    ] * 4
