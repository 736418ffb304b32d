"""Suprema BioStar X as Workgate knows it: see :mod:`connectors.vendor`."""

from connectors.vendor import SettingField, VendorEntry

VENDOR = VendorEntry(
    kind="biostar",
    label="Suprema BioStar X",
    short_label="BioStar X",
    connector="connectors.biostar.connector:BioStarConnector",
    simulator="connectors.biostar.simulator:BioStarSimulator",
    base_url_example="https://biostar.example.com",
    options=(SettingField("login_id", "Login ID", "A BioStar X operator account."),),
    secrets=(SettingField("password", "Password"),),
    revokes_access_by="disables the user",
    revocation_detail="sets the user to disabled and its expiry to the moment of the push",
    code_change=(
        "cannot rename a user: Workgate creates one under the new code with the same details and access groups, then disables the old one (cards, fingerprints and faces stay on the old user: enrol them again)"
    ),
    access_proof_fields=("disabled", "expired", "expiry_datetime"),
)
