"""Build a connector for a vendor account. The only place the portal turns accounts into clients.

A worker process keeps each account's connector between tasks, so a pull every ten seconds
reuses the BioStar session or BioTime token instead of logging in each time (vendors notice
login storms; some end older sessions on every login). Editing the account starts a fresh one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

import httpx

from connectors.base import Connector
from connectors.client import ClientOptions
from connectors.registry import connector_class
from portal.sync.models import VendorAccount

KEPT_CONNECTORS = 32
_kept: OrderedDict[tuple, Connector] = OrderedDict()
_kept_lock = threading.Lock()


def client_options(account: VendorAccount) -> ClientOptions:
    tuning = {}
    if account.options.get("page_size"):  # an operator's override for a slow or picky server
        tuning["page_size"] = int(account.options["page_size"])
    return ClientOptions(
        verify_tls=account.verify_tls,
        ca_certificate=account.ca_certificate,
        time_zone=account.time_zone,
        **tuning,
    )


def connector_for(
    account: VendorAccount,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep=time.sleep,
) -> Connector:
    """A new connector; ``transport`` routes the traffic elsewhere (tests: a simulator in-process)."""
    credentials = {**account.options, **account.credentials}
    return connector_class(account.kind)(
        account.base_url, credentials, client_options(account), transport=transport, sleep=sleep
    )


@contextmanager
def kept_connector(account: VendorAccount, *, transport=None, sleep=time.sleep):
    """The account's connector, kept for the next task of this process (sessions survive)."""
    key = (account.pk, account.updated_at, id(transport), id(sleep))
    with _kept_lock:
        connector = _kept.pop(key, None)
    if connector is None:
        connector = connector_for(account, transport=transport, sleep=sleep)
    try:
        yield connector
    except BaseException:
        connector.close()  # a connector that failed mid-way may hold a broken session
        raise
    with _kept_lock:
        _kept[key] = connector
        # an edited account's older connectors go, then the least recently used beyond the cap
        for old in [k for k in _kept if k[0] == account.pk and k != key]:
            _kept.pop(old).close()
        while len(_kept) > KEPT_CONNECTORS:
            _, oldest = _kept.popitem(last=False)
            oldest.close()
