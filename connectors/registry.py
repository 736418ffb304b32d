"""The vendors Workgate speaks to: the one list to extend when adding a vendor.

Each module named here holds ``VENDOR``, a :class:`connectors.vendor.VendorEntry`. Listing the
vendors imports only those small modules; a connector or simulator is imported when first used.
"""

from __future__ import annotations

import importlib
from functools import cache

from connectors.base import Connector
from connectors.vendor import VendorEntry

VENDOR_MODULES = (
    "connectors.biotime.vendor",
    "connectors.biostar.vendor",
    "connectors.worktime.vendor",
    "connectors.zeitstrom.vendor",
    "connectors.q2.vendor",
)


@cache
def vendors() -> dict[str, VendorEntry]:
    """kind -> entry, in the order above (the order a person picks from)."""
    entries = [importlib.import_module(name).VENDOR for name in VENDOR_MODULES]
    return {entry.kind: entry for entry in entries}


def vendor(kind: str) -> VendorEntry:
    try:
        return vendors()[kind]
    except KeyError:
        raise ValueError(
            f"Unknown vendor kind {kind!r}; expected one of {sorted(vendors())}"
        ) from None


def kinds() -> list[str]:
    return list(vendors())


def connector_class(kind: str) -> type[Connector]:
    return vendor(kind).connector_class


def vendors_that(verb: str, record_kind: str) -> list[VendorEntry]:
    """Vendors whose connector can ``verb`` ("reads", "writes", …) ``record_kind``."""
    return [entry for entry in vendors().values() if entry.can(verb, record_kind)]


def webhook_vendors() -> list[VendorEntry]:
    return [entry for entry in vendors().values() if entry.webhook is not None]
