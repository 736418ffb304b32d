"""The vendor registry: one entry per vendor, consistent with its connector and simulator."""

import subprocess
import sys

import pytest

from connectors.registry import VENDOR_MODULES, connector_class, kinds, vendor, vendors
from connectors.simulators import build_parser, load


def test_importing_the_registry_and_every_entry_pulls_in_no_django():
    code = (
        "import sys, connectors.registry as r; r.vendors(); "
        "[e.connector_class for e in r.vendors().values()]; "
        "import connectors.simulators; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"


def test_each_vendor_module_declares_one_entry_under_its_own_package():
    assert len(VENDOR_MODULES) == len(vendors()) == 5
    for module, entry in zip(VENDOR_MODULES, vendors().values(), strict=True):
        package = module.rsplit(".", 1)[0]
        assert entry.connector.startswith(package + ".")
        assert entry.simulator.startswith(package + ".")


@pytest.mark.parametrize("kind", kinds())
def test_the_entry_agrees_with_its_connector_and_simulator(kind):
    entry = vendor(kind)
    assert connector_class(kind).kind == kind
    assert entry.capabilities is connector_class(kind).capabilities
    assert entry.capabilities.reads, "a vendor Workgate cannot read from is of no use"
    simulator = load(kind).demo()
    needed = {f.name for f in (*entry.options, *entry.secrets) if f.required and not f.choices}
    assert needed <= set(simulator.credentials()), "the demo could not register this account"


def test_the_simulators_launcher_offers_every_kind_and_each_webhook_url():
    parser = build_parser()
    args = parser.parse_args([])
    assert args.only == sorted(kinds())
    webhook_kinds = [k for k in kinds() if vendor(k).webhook is not None]
    assert webhook_kinds == ["worktime"]
    args = parser.parse_args(["--worktime-webhook-url", "http://127.0.0.1/hook"])
    assert args.worktime_webhook_url == "http://127.0.0.1/hook"


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="biostar"):
        connector_class("nope")
