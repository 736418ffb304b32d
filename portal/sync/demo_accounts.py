"""Register the loopback simulators as ordinary vendor accounts, as an administrator would."""

from django.db import transaction

from portal.core import audit
from portal.sync.models import VendorAccount, VendorKind
from portal.sync.vendor_kinds import KIND_SPECS
from portal.sync.webhooks import new_webhook_token


@transaction.atomic
def register_simulator_account(announced: dict) -> VendorAccount:
    """``announced`` is one JSON line of ``python -m connectors.simulators``."""
    kind = announced["kind"]
    spec = KIND_SPECS[kind]
    given = announced.get("credentials", {})
    name = f"Demo {VendorKind(kind).label}"
    account, created = VendorAccount.objects.get_or_create(
        name=name, defaults={"kind": kind, "base_url": announced["base_url"]}
    )
    account.base_url = announced["base_url"]
    account.options = {o.name: given.get(o.name, o.choices[0][0] if o.choices else "") for o in spec.options}
    account.credentials = {s.name: given[s.name] for s in spec.secrets if s.name in given}
    if kind == VendorKind.WORKTIME:
        account.options["webhook_token"] = announced.get("webhook_token") or new_webhook_token()
    account.save()
    if created:
        audit.record("vendor_account.created", obj=account, after={"kind": kind, "base_url": account.base_url})
    return account
