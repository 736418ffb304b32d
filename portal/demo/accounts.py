"""Register the loopback simulators as ordinary vendor accounts, as an administrator would."""

from django.db import transaction

from connectors.registry import vendor, webhook_vendors
from portal.core import audit
from portal.sync.models import VendorAccount
from portal.sync.webhooks import new_webhook_token

#: the demo's HR master at onboarding: its people are imported, the others are matched to them
DEMO_HR_MASTER = "biotime"


def demo_account_name(kind: str) -> str:
    return f"Demo {vendor(kind).label}"


def demo_webhook_tokens() -> dict[str, str]:
    """kind -> webhook token of each demo account that takes webhooks, kept across restarts."""
    tokens = {}
    for entry in webhook_vendors():
        account = VendorAccount.objects.filter(name=demo_account_name(entry.kind)).first()
        saved = account.options.get("webhook_token") if account else None
        tokens[entry.kind] = saved or new_webhook_token()
    return tokens


@transaction.atomic
def register_simulator_account(announced: dict, webhook_token: str | None = None) -> VendorAccount:
    """``announced`` is one JSON line of ``python -m connectors.simulators``."""
    kind = announced["kind"]
    entry = vendor(kind)
    given = announced.get("credentials", {})
    name = demo_account_name(kind)
    account, created = VendorAccount.objects.get_or_create(
        name=name, defaults={"kind": kind, "base_url": announced["base_url"]}
    )
    account.base_url = announced["base_url"]
    account.import_new_people = kind == DEMO_HR_MASTER
    # optional settings the simulator does not announce keep the connector's own default
    account.options = {
        o.name: given.get(o.name, o.default) for o in entry.options if o.required or o.name in given
    }
    account.credentials = {s.name: given[s.name] for s in entry.secrets if s.name in given}
    if entry.webhook is not None:
        account.options["webhook_token"] = webhook_token or new_webhook_token()
    account.save()
    if created:
        audit.record(
            "vendor_account.created",
            obj=account,
            after={"kind": kind, "base_url": account.base_url},
        )
    return account
