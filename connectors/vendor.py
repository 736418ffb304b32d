"""Everything Workgate needs to know about one vendor system, declared in one entry.

Each vendor package holds a ``vendor.py`` with ``VENDOR = VendorEntry(...)``; ``connectors.registry``
lists those modules once. The portal derives its account form, vendor kinds, webhook handling
and page text from these entries, so adding a vendor touches nothing under ``portal/``.
Classes are named as ``"module:Class"`` strings so listing the vendors imports no vendor code.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from connectors.records import Capabilities
from connectors.webhooks import WebhookProtocol


@dataclass(frozen=True)
class SettingField:
    """One setting an administrator types in to connect an account (an option or a secret)."""

    name: str
    label: str
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    #: a whole number from ``minimum`` to ``maximum`` (both given, or neither: free text)
    minimum: int | None = None
    maximum: int | None = None
    #: the value a new account starts with (else the first choice, else blank)
    initial: str = ""
    #: where the form shows it: with the credentials, or with the sync settings ("sync")
    section: str = "credentials"

    @property
    def default(self) -> str:
        if self.initial:
            return self.initial
        return self.choices[0][0] if self.choices else ""

    @property
    def is_number(self) -> bool:
        return self.minimum is not None and self.maximum is not None


@dataclass(frozen=True)
class OptionalFeature:
    """A part of the vendor's API that some server builds lack; the connector reports it in
    ``server_capabilities()`` under ``name``."""

    name: str
    label: str
    #: what a person does instead when the server lacks it (completes "not available: …")
    instead: str
    #: a termination cannot reach a server without it
    needed_to_terminate: bool = False


def no_extra_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The default: a vendor whose unmapped fields Workgate does not show."""
    return {}


def load_class(dotted: str) -> type:
    module_name, class_name = dotted.split(":")
    return getattr(importlib.import_module(module_name), class_name)


@dataclass(frozen=True)
class VendorEntry:
    #: the stored account kind; never changes once accounts exist
    kind: str
    #: what a person picks from ("ZKTeco BioTime") and how sentences name it ("BioTime")
    label: str
    short_label: str
    #: "module:Class" of the connector and of the simulator
    connector: str
    simulator: str
    base_url_example: str
    #: non-secret settings kept in the account's options, and secrets kept encrypted
    options: tuple[SettingField, ...] = ()
    secrets: tuple[SettingField, ...] = ()
    #: how a termination is carried out there, as the end of "<account> ..." ("disables the user")
    revokes_access_by: str = "revokes the person's access"
    #: whether the termination reason reaches the vendor
    keeps_termination_reason: bool = False
    #: what exactly a termination sets there, for the confirmation step ("disabled, and …")
    revocation_detail: str = ""
    #: what a changed employee code does there, for the person form ("renames the employee")
    code_change: str = ""
    #: the vendor record's fields that show whether access is gone, kept as an offboarding's
    #: read-back proof (never the whole record: it can hold password hashes)
    access_proof_fields: tuple[str, ...] = ()
    #: how the vendor calls us back, if it does
    webhook: WebhookProtocol | None = None
    #: API parts some server builds lack (BioTime 8.0 has no resignations)
    optional_features: tuple[OptionalFeature, ...] = ()
    #: "module:function" giving a person record's ``raw`` fields that no PersonRecord field
    #: holds, for the person's page; the default shows none
    extra_fields: str = "connectors.vendor:no_extra_fields"

    @cached_property
    def connector_class(self) -> type:
        return load_class(self.connector)

    @cached_property
    def simulator_class(self) -> type:
        return load_class(self.simulator)

    def person_extra_fields(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The vendor's fields of a person that Workgate does not map (never secrets)."""
        module_name, function_name = self.extra_fields.split(":")
        return getattr(importlib.import_module(module_name), function_name)(raw)

    @property
    def capabilities(self) -> Capabilities:
        """Declared on the connector class, the one place they are kept."""
        return self.connector_class.capabilities

    def can(self, verb: str, record_kind: str) -> bool:
        return self.capabilities.can(verb, record_kind)
