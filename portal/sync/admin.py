from django.contrib import admin

from portal.core.admin_mixins import ReadOnlyAdmin
from portal.sync.models import (
    ExternalLink,
    OutboxMessage,
    PendingCreate,
    SyncCursor,
    SyncRun,
    VendorAccount,
)


@admin.register(VendorAccount)
class VendorAccountAdmin(ReadOnlyAdmin):
    """Read-only here: the Vendor accounts page keeps secrets write-only and audits every change."""

    list_display = ["name", "kind", "base_url", "enabled", "pull_enabled", "push_enabled"]
    exclude = ["credentials"]


@admin.register(ExternalLink)
class ExternalLinkAdmin(ReadOnlyAdmin):
    list_display = [
        "account",
        "content_type",
        "vendor_id",
        "object_id",
        "last_pulled_at",
        "gone_at",
    ]
    list_filter = ["account", "content_type"]
    search_fields = ["vendor_id"]


@admin.register(SyncCursor)
class SyncCursorAdmin(ReadOnlyAdmin):
    list_display = ["account", "stream", "value", "updated_at"]


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "account",
        "stream",
        "status",
        "fetched",
        "created",
        "updated",
        "skipped",
    ]
    list_filter = ["status", "account", "stream"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "account",
        "record_kind",
        "action",
        "status",
        "attempts",
        "scheduled_for",
    ]
    list_filter = ["status", "account"]


@admin.register(PendingCreate)
class PendingCreateAdmin(ReadOnlyAdmin):
    """Creates owed to an account until the person is linked there, with the keys sent so far."""

    list_display = ["person", "account", "keys", "updated_at"]
    list_filter = ["account"]
