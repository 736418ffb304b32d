"""Find the connector class for a vendor kind without importing every vendor up front."""

from __future__ import annotations

import importlib

from connectors.base import Connector

CONNECTORS = {
    "biotime": "connectors.biotime.connector:BioTimeConnector",
    "biostar": "connectors.biostar.connector:BioStarConnector",
    "worktime": "connectors.worktime.connector:WorkTimeConnector",
    "zeitstrom": "connectors.zeitstrom.connector:ZeitstromConnector",
    "q2": "connectors.q2.connector:Q2Connector",
}


def connector_class(kind: str) -> type[Connector]:
    try:
        module_name, class_name = CONNECTORS[kind].split(":")
    except KeyError:
        raise ValueError(
            f"Unknown vendor kind {kind!r}; expected one of {sorted(CONNECTORS)}"
        ) from None
    return getattr(importlib.import_module(module_name), class_name)
