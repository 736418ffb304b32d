from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only sync or the portal's own pages may write (mirror, audit, commands)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
