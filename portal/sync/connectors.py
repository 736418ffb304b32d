"""Build a connector for a vendor account. The only place the portal turns accounts into clients."""

from __future__ import annotations

import time

import httpx

from connectors.base import Connector
from connectors.client import ClientOptions
from connectors.registry import connector_class
from portal.sync.models import VendorAccount


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
    """``transport`` routes the traffic elsewhere (tests: a simulator in-process)."""
    credentials = {**account.options, **account.credentials}
    return connector_class(account.kind)(
        account.base_url, credentials, client_options(account), transport=transport, sleep=sleep
    )
