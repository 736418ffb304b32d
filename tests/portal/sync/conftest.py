"""Vendor accounts wired to in-process simulators: the portal talks HTTP to them, no sockets."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from connectors.registry import vendor
from connectors.simkit.clock import SimClock
from portal.sync.models import VendorAccount

# A Wednesday morning in Berlin: people are at work, yesterday's cards are closed.
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


@dataclass
class Wired:
    account: VendorAccount
    simulator: object

    @property
    def transport(self):
        return self.simulator.transport()


def wire(kind: str, simulator, **account_fields) -> Wired:
    spec = vendor(kind)
    given = simulator.credentials()
    options = {o.name: given[o.name] for o in spec.options if o.name in given}
    options.update(account_fields.pop("options", {}))
    account = VendorAccount.objects.create(
        kind=kind,
        name=f"{kind} test",
        base_url="http://sim.test" + simulator.base_path,
        options=options,
        credentials={s.name: given[s.name] for s in spec.secrets if s.name in given},
        **account_fields,
    )
    return Wired(account, simulator)


@pytest.fixture
def clock():
    return SimClock(NOW, frozen=True)


@pytest.fixture
def q2(db, clock):
    from connectors.q2.simulator import Q2Simulator

    return wire("q2", Q2Simulator.demo(clock=clock), import_new_people=True)


@pytest.fixture
def zeitstrom(db, clock):
    from connectors.zeitstrom.simulator import ZeitstromSimulator

    return wire("zeitstrom", ZeitstromSimulator.demo(clock=clock))


@pytest.fixture
def biostar(db, clock):
    from connectors.biostar.simulator import BioStarSimulator

    return wire("biostar", BioStarSimulator.demo(clock=clock))


def demo_simulator(kind: str, clock):
    from connectors.simulators import load

    return load(kind).demo(clock=clock)
