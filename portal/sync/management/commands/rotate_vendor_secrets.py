"""Re-encrypt every vendor account's secrets with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put a new key in front of FIELD_ENCRYPTION_KEYS (keep the old ones after it), run this,
then remove the old keys once it reports every account rotated.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.core import audit
from portal.sync.models import VendorAccount


class Command(BaseCommand):
    help = "Re-encrypt vendor secrets with the newest encryption key."

    @transaction.atomic
    def handle(self, *args, **options):
        count = 0
        for account in VendorAccount.objects.select_for_update():
            # Reading decrypts with any configured key; saving encrypts with the first one.
            account.save(update_fields=["credentials"])
            count += 1
        audit.record(
            "vendor_secrets.rotated",
            actor_label=audit.command_line_actor(),
            after={"accounts": count},
        )
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted the secrets of {count} vendor account(s).")
        )
