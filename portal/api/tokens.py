"""API tokens: ``wg_<prefix>_<secret>``, shown once; stored as the prefix and a SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.api.models import ApiToken
from portal.core import audit

PREFIX = "wg"
#: "last used" is written at most this often, so a busy client does not write on every call
LAST_USED_GRANULARITY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split(token: str) -> str | None:
    """The lookup prefix of a well-formed token, or None."""
    parts = token.split("_", 2)  # the secret part may itself hold "_"
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isalnum():
        return None
    return parts[1]


@transaction.atomic
def create_token(user, *, name: str, expires_at=None, request=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token text, which is never shown again."""
    prefix = secrets.token_hex(4)
    text = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=digest(text), expires_at=expires_at
    )
    audit.record(
        "api_token.created",
        request=request,
        actor=user,
        obj=token,
        after={"name": name, "prefix": prefix, "expires_at": expires_at and expires_at.isoformat()},
    )
    return token, text


@transaction.atomic
def revoke_token(token: ApiToken, *, request=None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("api_token.revoked", request=request, obj=token, after={"prefix": token.prefix})


def user_for(text: str) -> tuple[object, ApiToken] | None:
    """The (user, token) a presented token stands for, or None if it is unknown, revoked,
    expired, or its user may no longer sign in."""
    prefix = split(text)
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, digest(text)):
        return None
    if not token.active or not token.user.is_active:
        return None
    note_use(token)
    return token.user, token


def note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
