"""Departments, positions and sites reach BioTime (departments, positions, areas) and BioStar
(user groups) through the outbox, against the simulators."""

import pytest

from connectors.biostar.simulator.state import ROOT_GROUP_ID, UserGroup
from portal.core.models import AuditEntry
from portal.people.models import Department, Position, Site
from portal.people.org_services import save_org
from portal.sync.models import ExternalLink, OutboxMessage
from portal.sync.pull import pull_stream
from portal.sync.services import retry_message
from tests.portal.sync.conftest import demo_simulator, wire
from tests.portal.sync.test_push import Request, time_passes
from tests.portal.sync.test_push_reconcile import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def biotime(db, clock):
    return wire("biotime", demo_simulator("biotime", clock))


@pytest.fixture
def hr(user_with_role):
    return Request(user_with_role("hr"))


def add(hr, model, **fields):
    return save_org(model(**fields), request=hr)


def rename(hr, obj, **fields):
    obj = type(obj).objects.get(pk=obj.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    return save_org(obj, request=hr)


def groups_named(wired, name):
    return [g for g in wired.simulator.user_groups.values() if g.name == name]


def nodes(wired, kind, **match):
    tree = getattr(wired.simulator.directory, kind)
    return [n for n in tree.values() if all(getattr(n, k) == v for k, v in match.items())]


def link(wired, obj):
    return ExternalLink.objects.get(
        account=wired.account, object_id=obj.pk, content_type__model=type(obj)._meta.model_name
    )


def test_a_new_department_reaches_biotime_and_biostar_once_each(biotime, biostar, hr):
    department = add(hr, Department, name="Logistics", code="LOG")
    assert OutboxMessage.objects.filter(record_kind="department").count() == 2

    drain(biotime)
    drain(biostar)

    [node] = nodes(biotime, "departments", code="LOG")
    assert (node.name, node.parent_id) == ("Logistics", None)
    [group] = groups_named(biostar, "Logistics")
    assert group.parent_id == ROOT_GROUP_ID
    assert link(biotime, department).vendor_id == str(node.id)
    assert link(biostar, department).vendor_id == str(group.id)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    entry = AuditEntry.objects.get(action="department.created")
    assert entry.after["name"] == "Logistics" and entry.actor_label == hr.user.username


def test_a_rename_updates_the_linked_records_in_place(biotime, biostar, hr):
    department = add(hr, Department, name="Logistics", code="LOG")
    drain(biotime)
    drain(biostar)
    before = (link(biotime, department).vendor_id, link(biostar, department).vendor_id)

    rename(hr, department, name="Shipping", code="SHP")
    time_passes()
    drain(biotime)
    drain(biostar)

    [node] = nodes(biotime, "departments", name="Shipping")
    assert (str(node.id), node.code) == (before[0], "SHP")
    assert nodes(biotime, "departments", name="Logistics") == []
    [group] = groups_named(biostar, "Shipping")
    assert str(group.id) == before[1] and groups_named(biostar, "Logistics") == []
    answers = OutboxMessage.objects.filter(action="update").values_list("vendor_answer", flat=True)
    assert [a["done"] for a in answers] == ["updated", "updated"]


def test_a_department_pulled_before_is_updated_not_created_again(biotime, biostar, hr):
    pull_stream(biotime.account.pk, "departments", transport=biotime.transport)
    pull_stream(biostar.account.pk, "departments", transport=biostar.transport)
    sales = Department.objects.get(name="Sales")
    vendor_ids = (link(biotime, sales).vendor_id, link(biostar, sales).vendor_id)
    group_count = len(biostar.simulator.user_groups)
    node_count = len(biotime.simulator.directory.departments)

    rename(hr, sales, name="Sales and Marketing")
    drain(biotime)
    drain(biostar)

    assert len(biostar.simulator.user_groups) == group_count
    assert len(biotime.simulator.directory.departments) == node_count
    assert biotime.simulator.directory.departments[int(vendor_ids[0])].name == "Sales and Marketing"
    assert biostar.simulator.user_groups[int(vendor_ids[1])].name == "Sales and Marketing"


def test_an_unlinked_record_found_by_code_is_adopted_not_created_twice(biotime, hr):
    existing = biotime.simulator.directory.add_node("positions", "FORK", "Forklift driver")
    count = len(biotime.simulator.directory.positions)

    position = add(hr, Position, name="Forklift operator", code="FORK")
    drain(biotime)

    assert len(biotime.simulator.directory.positions) == count
    assert existing.name == "Forklift operator"
    assert link(biotime, position).vendor_id == str(existing.id)
    assert OutboxMessage.objects.get().vendor_answer["found_existing"] is True


def test_a_site_becomes_a_biotime_area_and_not_a_biostar_group(biotime, biostar, hr):
    add(hr, Site, name="Kiel Harbour", code="KIEL", time_zone="Europe/Berlin")
    assert list(OutboxMessage.objects.values_list("account__kind", flat=True)) == ["biotime"]
    drain(biotime)
    [area] = nodes(biotime, "areas", code="KIEL")
    assert area.name == "Kiel Harbour"


def test_a_sub_department_is_sent_under_its_parent(biotime, biostar, hr):
    parent = add(hr, Department, name="Logistics", code="LOG")
    child = add(hr, Department, name="Inbound", code="LOG-IN", parent=parent)
    drain(biostar)  # the child's message may go first: the parent is sent before it either way
    drain(biotime)

    [group] = groups_named(biostar, "Inbound")
    assert group.parent_id == int(link(biostar, parent).vendor_id)
    [node] = nodes(biotime, "departments", code="LOG-IN")
    assert node.parent_id == int(link(biotime, parent).vendor_id)
    assert len(groups_named(biostar, "Logistics")) == 1
    assert len(nodes(biotime, "departments", code="LOG")) == 1
    assert link(biostar, child)


def test_a_vendor_refusal_is_parked_with_its_words_and_a_retry_sends_it(biostar, hr):
    department = add(hr, Department, name="Logistics", code="LOG")
    drain(biostar)
    # someone made a "Shipping" group in BioStar's console, unknown to Workgate
    sim = biostar.simulator
    sim.user_groups[900] = UserGroup(900, "Shipping", ROOT_GROUP_ID, "", 1)

    rename(hr, department, name="Shipping")
    drain(biostar)

    message = OutboxMessage.objects.get(action="update")
    assert message.status == "failed"
    assert (
        "A user group named 'Shipping' already exists in this parent group." in message.last_error
    )

    del sim.user_groups[900]  # the console's group is removed; HR retries
    retry_message(message, hr)
    drain(biostar)

    message.refresh_from_db()
    assert message.status == "sent"
    assert sim.user_groups[int(link(biostar, department).vendor_id)].name == "Shipping"


def test_a_change_that_no_system_holds_sends_nothing(biotime, hr):
    site = add(hr, Site, name="Kiel Harbour", code="KIEL", time_zone="Europe/Berlin")
    drain(biotime)
    rename(hr, site, address="Kai 1, Kiel")
    assert OutboxMessage.objects.count() == 1
    assert AuditEntry.objects.filter(action="site.changed").count() == 1


def test_biostars_all_users_is_nobodys_parent_and_never_sent(biotime, biostar, hr):
    pull_stream(biostar.account.pk, "departments", transport=biostar.transport)
    pull_stream(biotime.account.pk, "departments", transport=biotime.transport)
    sales = Department.objects.get(name="Sales")
    assert sales.parent.name == "All Users"  # the mirror keeps BioStar's tree as it is
    biostar_id = link(biostar, sales).vendor_id

    rename(hr, sales, name="Sales and Marketing")
    rename(hr, sales.parent, name="Everyone")
    drain(biotime)
    drain(biostar)

    assert nodes(biotime, "departments", name="All Users") == []
    assert nodes(biotime, "departments", name="Everyone") == []
    [node] = nodes(biotime, "departments", name="Sales and Marketing")
    assert node.parent_id is None
    group = biostar.simulator.user_groups[int(biostar_id)]
    assert (group.name, group.parent_id) == ("Sales and Marketing", ROOT_GROUP_ID)
    assert biostar.simulator.user_groups[ROOT_GROUP_ID].name == "All Users"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
