"""Zeitstrom as Workgate knows it: see :mod:`connectors.vendor`."""

from connectors.vendor import SettingField, VendorEntry

VENDOR = VendorEntry(
    kind="zeitstrom",
    label="Zeitstrom",
    short_label="Zeitstrom",
    connector="connectors.zeitstrom.connector:ZeitstromConnector",
    simulator="connectors.zeitstrom.simulator:ZeitstromSimulator",
    base_url_example="https://api.zeitstrom.com",
    secrets=(SettingField("token", "API token"),),
)
