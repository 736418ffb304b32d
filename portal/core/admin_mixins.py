"""Admin classes shared by every app: read-only mirrors, and audited edits."""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from portal.core import audit

#: field names whose values never reach the audit log, only the fact that they changed
SECRET_FIELDS = frozenset({"password", "credentials", "secret", "token", "api_key"})
CHANGED = "(changed)"


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only sync or the portal's own pages may write (mirror, audit, commands)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def snapshot(obj: models.Model) -> dict:
    """The row's fields and many-to-many memberships as JSON values; secrets masked."""
    values = {field.name: field.value_from_object(obj) for field in obj._meta.concrete_fields}
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    for name in SECRET_FIELDS & values.keys():
        values[name] = CHANGED if values[name] else ""
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def audit_action(obj: models.Model, verb: str) -> str:
    return f"admin.{obj._meta.model_name}.{verb}"


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the Django admin lands in the audit log too.

    The before-image is read from the database before the form's values are saved; the
    after-image is taken once the many-to-many fields (group membership, permissions) are saved,
    so giving someone a role shows up as a change of their groups.
    """

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            request._audit_before = snapshot(stored) if stored is not None else {}
        else:
            request._audit_before = None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", None)
        after = snapshot(obj)
        if before is None:
            audit.record(audit_action(obj, "created"), request=request, obj=obj, after=after)
            return
        before, after = audit.changed_values(before, after)
        if before or after:
            audit.record(
                audit_action(obj, "changed"), request=request, obj=obj, before=before, after=after
            )

    def delete_model(self, request, obj):
        before = snapshot(obj)
        audit.record(audit_action(obj, "deleted"), request=request, obj=obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(
                audit_action(obj, "deleted"), request=request, obj=obj, before=snapshot(obj)
            )
        super().delete_queryset(request, queryset)
