"""`make run` registers each simulator as a demo account; webhook addresses survive restarts."""

import pytest

from connectors.registry import kinds, vendor
from portal.demo.accounts import demo_webhook_tokens, register_simulator_account
from portal.sync.models import VendorAccount

pytestmark = pytest.mark.django_db


def announced(kind: str, **demo) -> dict:
    """What `python -m connectors.simulators` prints for ``kind``."""
    simulator = vendor(kind).simulator_class.demo(**demo)
    return {
        "kind": kind,
        "base_url": "http://127.0.0.1:8101",
        "credentials": simulator.credentials(),
    }


def test_every_simulator_becomes_a_demo_account_with_its_settings():
    for kind in kinds():
        register_simulator_account(announced(kind))
    names = set(VendorAccount.objects.values_list("name", flat=True))
    assert names == {f"Demo {vendor(kind).label}" for kind in kinds()}
    biotime = VendorAccount.objects.get(kind="biotime")
    assert set(biotime.options) == {"username", "login_kind"}
    assert set(biotime.credentials) == {"password"}
    assert list(VendorAccount.objects.filter(import_new_people=True)) == [biotime]


def test_a_webhook_vendor_keeps_its_demo_address_across_restarts():
    first = demo_webhook_tokens()
    assert set(first) == {"worktime"}
    hook = "http://127.0.0.1:9/sync/webhooks/worktime/x/"  # nothing listens: deliveries just fail
    register_simulator_account(
        announced("worktime", webhook_urls=[hook]), webhook_token=first["worktime"]
    )
    assert demo_webhook_tokens() == first
    account = VendorAccount.objects.get(kind="worktime")
    assert account.options["webhook_token"] == first["worktime"]
    assert account.credentials["webhook_secret"]  # the simulator hands its secret out
