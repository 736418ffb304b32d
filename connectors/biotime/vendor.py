"""ZKTeco BioTime as Workgate knows it: see :mod:`connectors.vendor`."""

from connectors.vendor import OptionalFeature, SettingField, VendorEntry

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
        SettingField(
            "late_upload_sweep_days",
            "Late upload sweep (days)",
            "Once a day, punches uploaded up to this many days late are read again: terminals "
            "that were offline over a weekend upload more than a day late. 1 to 366.",
            minimum=1,
            maximum=366,
            required=False,
            initial="7",
            section="sync",
        ),
    ),
    secrets=(SettingField("password", "Password"),),
    revokes_access_by="records a resignation",
    revocation_detail="adds a resignation dated the last working day with attendance disabled",
    code_change=("renames the employee in place; punches from then on carry the new code"),
    keeps_termination_reason=True,
    optional_features=(
        OptionalFeature(
            "resignations",
            "Resignations",
            "terminate people in BioTime's console, or upgrade the server to BioTime 8.5 or later",
            needed_to_terminate=True,
        ),
    ),
    extra_fields="connectors.biotime.mapping:extra_fields",
)
