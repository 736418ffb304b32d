import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from portal.core.models import AuditEntry
from portal.sync.crypto import SecretDecryptionError
from portal.sync.models import VendorAccount
from tests.factories import VendorAccountFactory

pytestmark = pytest.mark.django_db


def stored_token(account) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM sync_vendoraccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0].encode()


def test_rotation_re_encrypts_with_the_new_key_and_old_key_can_then_go(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    account = VendorAccountFactory(credentials={"password": "pw"})
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_vendor_secrets")

    Fernet(new_key.encode()).decrypt(stored_token(account))  # readable with the new key alone
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert VendorAccount.objects.get(pk=account.pk).credentials == {"password": "pw"}
    assert AuditEntry.objects.filter(action="vendor_secrets.rotated").exists()


def test_a_missing_key_is_a_clear_error(settings):
    account = VendorAccountFactory(credentials={"password": "pw"})
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretDecryptionError, match="add the key they were written with"):
        VendorAccount.objects.get(pk=account.pk)
