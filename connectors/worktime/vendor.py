"""WorkTime One as Workgate knows it: see :mod:`connectors.vendor`."""

from connectors.vendor import SettingField, VendorEntry
from connectors.worktime.webhooks import WorkTimeWebhooks

VENDOR = VendorEntry(
    kind="worktime",
    label="WorkTime One",
    short_label="WorkTime One",
    connector="connectors.worktime.connector:WorkTimeConnector",
    simulator="connectors.worktime.simulator:WorkTimeSimulator",
    base_url_example="https://api.worktime.one/v1",
    secrets=(
        SettingField(
            "api_key",
            "API key",
            "From WorkTime One: Settings → API Keys. Read/write scope to push people.",
        ),
        SettingField(
            "webhook_secret",
            "Webhook secret",
            "Optional. The secret WorkTime One shows for the webhook you point at this account's "
            "webhook address; with it, changes arrive within seconds instead of at the next pull.",
            required=False,
        ),
    ),
    revokes_access_by="removes the employee",
    revocation_detail="soft-deletes the employee (status inactive; it can be restored)",
    code_change=("keeps no employee code: nothing changes there"),
    access_proof_fields=("status",),
    webhook=WorkTimeWebhooks(),
)
