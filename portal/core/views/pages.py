from portal.core.audit_text import describe, reference_names
from portal.core.filters import AuditEntryFilterSet
from portal.core.models import AuditEntry
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView


class AuditEntryListView(PermissionRequiredMixin, PartialListView):
    permission_required = "core.view_auditentry"
    model = AuditEntry
    template_name = "core/audit_list.html"
    partial_name = "audit-table"

    def get_queryset(self):
        entries = AuditEntry.objects.select_related("actor")
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        self.filterset = AuditEntryFilterSet(
            self.request.GET or None, queryset=entries, actions=list(actions)
        )
        return self.filterset.qs if self.filterset.is_bound else entries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["page_obj"].object_list)
        names = reference_names(entries)
        context["rows"] = [(entry, describe(entry, names)) for entry in entries]
        context["filterset"] = self.filterset
        context["filtered"] = any(self.request.GET.get(name) for name in self.filterset.filters)
        return context
