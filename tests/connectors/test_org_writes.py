"""Departments, positions and areas written to BioTime, user groups to BioStar X: found before
they are created, renamed in place, refused in the vendor's words."""

from datetime import UTC, datetime

import pytest

from connectors import errors
from connectors.biostar.simulator import BioStarSimulator
from connectors.biostar.simulator.state import ROOT_GROUP_ID
from connectors.biotime.connector import BioTimeConnector
from connectors.biotime.simulator import BioTimeSimulator
from connectors.client import ClientOptions
from connectors.simkit.clock import SimClock
from tests.connectors.test_biostar import connect

START = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    return SimClock(START, frozen=True)


@pytest.fixture
def biostar(clock):
    sim = BioStarSimulator.demo(clock=clock)
    return sim, connect(sim)


@pytest.fixture
def biotime(clock):
    sim = BioTimeSimulator(clock=clock)
    connector = BioTimeConnector(
        "http://sim.test",
        sim.credentials(),
        ClientOptions(time_zone="Europe/Berlin"),
        transport=sim.transport(),
        sleep=lambda s: None,
    )
    return sim, connector


def test_biostar_creates_a_user_group_under_all_users_and_finds_it_by_name(biostar):
    sim, bs = biostar
    created = bs.create_department("Logistics", "LOG")
    group = sim.user_groups[int(created.vendor_id)]
    assert (group.name, group.parent_id) == ("Logistics", ROOT_GROUP_ID)
    assert created.parent_id is None  # a child of the root reads as top level
    assert bs.find_department("", "logistics") == created
    assert bs.find_department("", "Logistics", parent_id="999") is None
    assert bs.get_department(created.vendor_id) == created


def test_biostar_sub_group_rename_and_move_keep_the_id(biostar):
    sim, bs = biostar
    parent = bs.create_department("Logistics")
    child = bs.create_department("Inbound", parent_id=parent.vendor_id)
    assert sim.user_groups[int(child.vendor_id)].parent_id == int(parent.vendor_id)
    renamed = bs.update_department(child.vendor_id, name="Goods in", parent_id=None)
    assert renamed.vendor_id == child.vendor_id
    assert (renamed.name, renamed.parent_id) == ("Goods in", None)
    assert sim.user_groups[int(child.vendor_id)].parent_id == ROOT_GROUP_ID


def test_biostar_refuses_a_sibling_of_the_same_name_in_its_words(biostar):
    _, bs = biostar
    bs.create_department("Logistics")
    with pytest.raises(errors.ConflictError, match="already exists in this parent group"):
        bs.create_department("Logistics")
    assert bs.get_department("424242") is None


def test_biotime_finds_nodes_by_code_then_name_and_reads_them_by_id(biotime):
    _, bt = biotime
    position = bt.create_position("Forklift driver", "FORK")
    assert bt.find_position("FORK") == position
    assert bt.find_position("nope", "forklift DRIVER") == position
    assert bt.find_position("nope", "nobody") is None
    assert bt.get_position(position.vendor_id) == position
    assert bt.get_position("4242") is None
    bt.create_site("Kiel Harbour", "KIEL")
    assert bt.find_site("KIEL").name == "Kiel Harbour"
    department = bt.create_department("Logistics", "LOG")
    assert bt.get_department(department.vendor_id).code == "LOG"
