"""Writing the audit log. Every change a person makes through the portal goes through here."""

from __future__ import annotations

import getpass
from typing import Any

from django.db import models

from portal.core.models import AuditEntry


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def command_line_actor() -> str:
    """Who ran a management command: the operating-system user, since there is no portal login."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (some containers)
        user = "unknown"
    return f"{user} (command line)"[:150]


def record(
    action: str,
    *,
    request=None,
    actor=None,
    actor_label: str | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` defaults to the request's user; no user means the system,
    unless ``actor_label`` names who acted (the command line's operating-system user)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor is not None else (actor_label or "system"),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        ip_address=client_ip(request),
    )


def changed_values(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an entry shows what changed and nothing else."""
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
