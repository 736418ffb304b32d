"""Operations on vendor accounts and the outbox that touch several models (always with audit)."""

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from connectors import errors
from portal.core import audit
from portal.sync import backoff, dispatch
from portal.sync.connectors import connector_for
from portal.sync.models import OutboxMessage, VendorAccount

AUDITED_FIELDS = [
    "kind",
    "name",
    "base_url",
    "options",
    "time_zone",
    "verify_tls",
    "ca_certificate",
    "enabled",
    "pull_enabled",
    "push_enabled",
    "import_new_people",
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
    # whatever was edited, the person has looked at it: try the vendor again
    backoff.resume_account(account.pk)
    after = account_snapshot(account)
    if creating:
        audit.record("vendor_account.created", request=request, obj=account, after=after)
    else:
        old, new = audit.changed_values(before, after)
        replaced = form.replaced_secrets()
        if replaced:
            new["secrets_replaced"] = replaced
        if old or new:
            audit.record(
                "vendor_account.changed", request=request, obj=account, before=old, after=new
            )
    return account


def check_connection(account_id: int, *, transport=None) -> bool:
    """Run the connector's ``check()`` and store the answer for the page (runs in a worker)."""
    account = VendorAccount.objects.get(pk=account_id)
    found = {}
    try:
        with connector_for(account, transport=transport) as connector:
            identity = connector.check()
        ok = True
        if "capabilities" in identity.details:  # optional APIs the server has (BioTime)
            found["server_capabilities"] = dict(identity.details["capabilities"])
        message = f"Connected to {identity.server}" + (
            f" {identity.version}" if identity.version else ""
        )
        message += f" as {identity.user}." if identity.user else "."
    except errors.ConnectorError as exc:
        ok, message = False, f"{type(exc).__name__}: {exc.message}"
        if backoff.pauses_account(exc):
            backoff.pause_account(account_id, exc)
    VendorAccount.objects.filter(pk=account_id).update(
        checked_at=timezone.now(), check_ok=ok, check_message=message[:500], **found
    )
    if ok:
        backoff.resume_account(account_id)
    return ok


@transaction.atomic
def request_check(account: VendorAccount, request) -> None:
    VendorAccount.objects.filter(pk=account.pk).update(check_requested_at=timezone.now())
    audit.record("vendor_account.check_requested", request=request, obj=account)
    dispatch.check_connection(account.pk)


@transaction.atomic
def request_sync(account: VendorAccount, request) -> None:
    audit.record("vendor_account.sync_requested", request=request, obj=account)
    dispatch.pull_account(account.pk)


@transaction.atomic
def retry_message(message: OutboxMessage, request) -> None:
    """Put a failed outbox message back in line, now, with a fresh count of tries."""
    before = {
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error,
    }
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, attempts=0, scheduled_for=timezone.now()
    )
    audit.record(
        "outbox.retried", request=request, obj=message, before=before, after={"status": "pending"}
    )
    dispatch.drain_outbox()
