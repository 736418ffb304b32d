"""Comparing what an API call audited with what its page twin audited."""

from portal.core.models import AuditEntry


def audit_trail(since_id: int, *, ignore=("employee_code",)) -> list[tuple]:
    """(action, actor, object type, before, after) of entries after ``since_id``, oldest first,
    leaving out values that differ between two runs by design (ids, the code given)."""

    def clean(values):
        if values is None:
            return None
        return {k: v for k, v in values.items() if k not in ignore}

    return [
        (e.action, e.actor_label, e.object_type, clean(e.before), clean(e.after))
        for e in AuditEntry.objects.filter(id__gt=since_id).order_by("id")
        if not e.action.startswith("api_token.")
    ]


def last_audit_id() -> int:
    entry = AuditEntry.objects.order_by("-id").first()
    return entry.id if entry else 0
