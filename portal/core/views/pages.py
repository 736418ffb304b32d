from portal.core.models import AuditEntry
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView


class AuditEntryListView(PermissionRequiredMixin, PartialListView):
    permission_required = "core.view_auditentry"
    model = AuditEntry
    template_name = "core/audit_list.html"
    partial_name = "audit-table"

    def get_queryset(self):
        entries = AuditEntry.objects.all()
        if action := self.request.GET.get("action"):
            entries = entries.filter(action=action)
        return entries
