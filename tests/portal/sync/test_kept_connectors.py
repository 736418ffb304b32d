"""Workers keep a connector per account between tasks; the cache stays bounded and current."""

import pytest

from portal.sync import connectors
from portal.sync.connectors import KEPT_CONNECTORS, kept_connector
from tests.factories import VendorAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    connectors._kept.clear()
    yield
    connectors._kept.clear()


def use(account):
    with kept_connector(account) as connector:
        return connector


def test_more_accounts_than_the_cap_keep_only_the_most_recently_used():
    accounts = [
        VendorAccountFactory(kind="biostar", name=f"BioStar {n}", options={"login_id": "api"})
        for n in range(KEPT_CONNECTORS + 8)
    ]
    used = [use(account) for account in accounts]  # before the fix this never returned

    assert len(connectors._kept) == KEPT_CONNECTORS
    kept_accounts = {key[0] for key in connectors._kept}
    assert kept_accounts == {a.pk for a in accounts[-KEPT_CONNECTORS:]}
    assert all(c.client.http.is_closed for c in used[:8])  # the evicted ones are closed
    assert not any(c.client.http.is_closed for c in used[8:])


def test_the_same_account_gets_its_kept_connector_back_until_it_is_edited():
    account = VendorAccountFactory(kind="biostar", options={"login_id": "api"})
    first = use(account)
    assert use(account) is first
    account.name = "Renamed"
    account.save()  # settings changed: a fresh connector, the old one closed
    fresh = use(account)
    assert fresh is not first and first.client.http.is_closed
    assert len(connectors._kept) == 1
