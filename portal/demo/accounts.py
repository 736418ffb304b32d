"""Register the loopback simulators as ordinary vendor accounts, as an administrator would."""

from django.db import transaction

from portal.core import audit
from portal.sync.models import VendorAccount, VendorKind
from portal.sync.vendor_kinds import KIND_SPECS
from portal.sync.webhooks import new_webhook_token


def demo_account_name(kind: str) -> str:
    return f"Demo {VendorKind(kind).label}"


def demo_webhook_token() -> str:
    """The demo WorkTime account's webhook token, the same across restarts of `make run`."""
    account = VendorAccount.objects.filter(name=demo_account_name(VendorKind.WORKTIME)).first()
    return (account.options.get("webhook_token") if account else None) or new_webhook_token()


@transaction.atomic
def register_simulator_account(announced: dict, webhook_token: str | None = None) -> VendorAccount:
    """``announced`` is one JSON line of ``python -m connectors.simulators``."""
    kind = announced["kind"]
    spec = KIND_SPECS[kind]
    given = announced.get("credentials", {})
    name = demo_account_name(kind)
    account, created = VendorAccount.objects.get_or_create(
        name=name, defaults={"kind": kind, "base_url": announced["base_url"]}
    )
    account.base_url = announced["base_url"]
    account.import_new_people = kind == VendorKind.BIOTIME  # the demo's HR master at onboarding
    account.options = {
        o.name: given.get(o.name, o.choices[0][0] if o.choices else "") for o in spec.options
    }
    account.credentials = {s.name: given[s.name] for s in spec.secrets if s.name in given}
    if kind == VendorKind.WORKTIME:
        account.options["webhook_token"] = webhook_token or new_webhook_token()
    account.save()
    if created:
        audit.record(
            "vendor_account.created",
            obj=account,
            after={"kind": kind, "base_url": account.base_url},
        )
    return account
