"""ZKTeco BioTime as Workgate knows it: see :mod:`connectors.vendor`."""

from connectors.vendor import SettingField, VendorEntry

VENDOR = VendorEntry(
    kind="biotime",
    label="ZKTeco BioTime",
    short_label="BioTime",
    connector="connectors.biotime.connector:BioTimeConnector",
    simulator="connectors.biotime.simulator:BioTimeSimulator",
    base_url_example="https://biotime.example.com:8090",
    options=(
        SettingField("username", "User name", "A BioTime system user with API access."),
        SettingField(
            "login_kind",
            "Login",
            "JWT tokens expire and are renewed; general tokens do not expire.",
            (("jwt", "JWT token"), ("token", "General token")),
        ),
    ),
    secrets=(SettingField("password", "Password"),),
    revokes_access_by="records a resignation",
    keeps_termination_reason=True,
)
