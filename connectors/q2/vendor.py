"""OpenTimeClock Q2 as Workgate knows it: see :mod:`connectors.vendor`."""

from connectors.vendor import SettingField, VendorEntry

VENDOR = VendorEntry(
    kind="q2",
    label="OpenTimeClock Q2",
    short_label="OpenTimeClock",
    connector="connectors.q2.connector:Q2Connector",
    simulator="connectors.q2.simulator:Q2Simulator",
    base_url_example="https://api.opentimeclock.com",
    options=(SettingField("company_id", "Company ID"),),
    secrets=(SettingField("developer_token", "Developer token"),),
)
