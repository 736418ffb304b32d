"""Operations on vendor accounts that touch several models (account + audit)."""

from django.db import transaction
from django.forms.models import model_to_dict

from portal.core import audit
from portal.sync.models import VendorAccount

AUDITED_FIELDS = [
    "kind", "name", "base_url", "options", "time_zone", "verify_tls", "ca_certificate",
    "enabled", "pull_enabled", "push_enabled",
]


def account_snapshot(account: VendorAccount) -> dict:
    """What the audit log may hold about an account: never a secret's value, only its name."""
    values = model_to_dict(account, fields=AUDITED_FIELDS)
    values["options"] = dict(account.options)
    values["secrets_saved"] = account.secret_names
    return values


@transaction.atomic
def save_vendor_account(form, request) -> VendorAccount:
    creating = form.instance.pk is None
    before = {} if creating else account_snapshot(VendorAccount.objects.get(pk=form.instance.pk))
    account = form.save()
    after = account_snapshot(account)
    if creating:
        audit.record("vendor_account.created", request=request, obj=account, after=after)
    else:
        old, new = audit.changed_values(before, after)
        replaced = form.replaced_secrets()
        if replaced:
            new["secrets_replaced"] = replaced
        if old or new:
            audit.record("vendor_account.changed", request=request, obj=account, before=old, after=new)
    return account
