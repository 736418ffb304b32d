"""Encryption of vendor secrets at rest with cryptography's MultiFernet.

The first key in ``settings.FIELD_ENCRYPTION_KEYS`` encrypts; every key decrypts, so a new key
can be put in front and old rows re-encrypted (``manage.py rotate_vendor_secrets``).
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


class SecretDecryptionError(Exception):
    """No configured key opens this value: the key it was written with is missing."""


class EncryptedJSONField(models.TextField):
    """A JSON object stored as a Fernet token. The database never sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return {}
        try:
            return json.loads(fernet().decrypt(value.encode()))
        except InvalidToken as exc:
            raise SecretDecryptionError(
                "Stored vendor secrets cannot be decrypted with the configured "
                "FIELD_ENCRYPTION_KEYS; add the key they were written with."
            ) from exc

    def to_python(self, value):
        return (
            value if isinstance(value, dict) else ({} if value in (None, "") else json.loads(value))
        )

    def get_prep_value(self, value):
        if value is None:
            value = {}
        return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()

    def value_to_string(self, obj):  # dumpdata must not write secrets out in clear
        return self.get_prep_value(self.value_from_object(obj))
