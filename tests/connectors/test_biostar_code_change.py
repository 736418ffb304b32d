"""BioStar cannot rename a user: a new employee code makes a new user and disables the old one."""

from dataclasses import replace

import pytest

from connectors import errors
from connectors.biostar.mapping import access_group_ids
from connectors.biostar.simulator import BioStarSimulator
from connectors.simkit.clock import SimClock
from tests.connectors.test_biostar import START, connect, new_person


@pytest.fixture
def sim():
    return BioStarSimulator.demo(clock=SimClock(START, frozen=True))


@pytest.fixture
def conn(sim):
    return connect(sim)


def test_a_new_code_makes_a_user_with_the_same_details_and_disables_the_old(sim, conn):
    made = conn.create_person(new_person())
    group = str(next(iter(sim.access_groups.values())).id)
    conn.set_access_groups(made.vendor_id, [group])

    moved = conn.change_code(made.vendor_id, replace(made, code="0778"))

    assert moved.vendor_id == "0778" and moved.active
    assert (moved.first_name, moved.email) == ("Ada", "ada@nordhafen.example")
    assert group in access_group_ids(moved.raw)
    old = conn.get_person("0777")
    assert old.active is False and old.email == ""  # disabled, and its e-mail moved


def test_moving_again_after_a_lost_answer_finds_the_new_user_instead_of_making_two(sim, conn):
    made = conn.create_person(new_person())
    conn.change_code(made.vendor_id, replace(made, code="0778"))
    again = conn.change_code(made.vendor_id, replace(made, code="0778"))
    assert again.vendor_id == "0778"
    assert sorted(u for u in sim.users if str(u).startswith("077")) == ["0777", "0778"]


def test_the_administrator_is_never_moved(conn):
    with pytest.raises(errors.SystemAccountError):
        conn.change_code("1", new_person(code="0779", vendor_id="1"))
