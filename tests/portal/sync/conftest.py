"""Vendor accounts wired to in-process simulators: the portal talks HTTP to them, no sockets."""

from contextlib import contextmanager
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
        name=account_fields.pop("name", f"{kind} test"),
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


@contextmanager
def broker_at(url: str):
    """Point the portal's Celery app at another broker for a while (memory, or nowhere)."""
    from portal.celery import app

    conf, amqp = app.conf, app.amqp
    # the raw settings, not the properties: those fall back to broker_url, and writing that
    # fallback back would pin every later user to today's broker URL
    saved = (
        conf.get("broker_write_url"),
        conf.get("broker_read_url"),
        app._pool,
        amqp._producer_pool,
    )
    conf.broker_write_url = conf.broker_read_url = url
    # Celery keeps its connection and producer pools on the app; new ones follow the new URL
    app._pool = amqp._producer_pool = None
    try:
        yield app
    finally:
        # kombu shares pools per URL across the process: leave them open for the next user
        conf.broker_write_url, conf.broker_read_url, app._pool, amqp._producer_pool = saved


@pytest.fixture
def broker():
    """Celery's in-memory broker in place of Redis: ``broker()`` reads back what was sent.

    Returns ``(task name, args, queue)`` for each message sent since it was last called.
    """
    with broker_at("memory://") as app:
        queues = [queue.name for queue in app.conf.task_queues]

        def sent() -> list[tuple[str, tuple, str]]:
            messages = []
            with app.connection_for_read() as connection:
                for name in queues:
                    with connection.SimpleQueue(name, no_ack=True) as queue:
                        while queue.qsize():
                            message = queue.get(timeout=1)
                            messages.append(
                                (message.headers["task"], tuple(message.payload[0]), name)
                            )
            return messages

        sent()  # start empty: the memory transport's queues live as long as the process
        yield sent
