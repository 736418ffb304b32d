"""What each vendor kind needs to connect: settings shown on the form, and secrets kept encrypted."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True


@dataclass(frozen=True)
class KindSpec:
    options: tuple[CredentialField, ...]
    secrets: tuple[CredentialField, ...]
    base_url_example: str


KIND_SPECS: dict[str, KindSpec] = {
    "biotime": KindSpec(
        options=(
            CredentialField("username", "User name", "A BioTime system user with API access."),
            CredentialField(
                "login_kind",
                "Login",
                "JWT tokens expire and are renewed; general tokens do not expire.",
                (("jwt", "JWT token"), ("token", "General token")),
            ),
        ),
        secrets=(CredentialField("password", "Password"),),
        base_url_example="https://biotime.example.com:8090",
    ),
    "biostar": KindSpec(
        options=(CredentialField("login_id", "Login ID", "A BioStar X operator account."),),
        secrets=(CredentialField("password", "Password"),),
        base_url_example="https://biostar.example.com",
    ),
    "worktime": KindSpec(
        options=(),
        secrets=(
            CredentialField(
                "api_key",
                "API key",
                "From WorkTime One: Settings → API Keys. Read/write scope to push people.",
            ),
            CredentialField(
                "webhook_secret",
                "Webhook secret",
                "Optional. The secret WorkTime One shows for the webhook you point at this account's "
                "webhook address; with it, changes arrive within seconds instead of at the next pull.",
                required=False,
            ),
        ),
        base_url_example="https://api.worktime.one/v1",
    ),
    "zeitstrom": KindSpec(
        options=(),
        secrets=(CredentialField("token", "API token"),),
        base_url_example="https://api.zeitstrom.com",
    ),
    "q2": KindSpec(
        options=(CredentialField("company_id", "Company ID"),),
        secrets=(CredentialField("developer_token", "Developer token"),),
        base_url_example="https://api.opentimeclock.com",
    ),
}
