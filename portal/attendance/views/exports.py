"""Exports of approved periods; recorded in the audit log, never locking anyone out."""

from django.http import HttpResponse
from django.views import View

from portal.attendance import export, services
from portal.attendance.periods import span_from
from portal.attendance.selectors import visible_people
from portal.core.permissions import PermissionRequiredMixin

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportView(PermissionRequiredMixin, View):
    permission_required = "attendance.export_timecards"
    kind = "csv"

    def get(self, request):
        span = span_from(request.GET)
        rows = export.approved_rows(visible_people(request.user), span.start, span.end)
        services.record_export(
            request.user,
            span.start,
            span.end,
            self.kind,
            len({r[0] for r in rows}),
            request=request,
        )
        name = f"timecards-{span.start:%Y-%m-%d}-{span.end:%Y-%m-%d}"
        if self.kind == "xlsx":
            body = export.as_xlsx(rows, f"{span.start:%Y-%m-%d}")
        else:
            body = export.as_csv(rows)
        response = HttpResponse(body, content_type=CONTENT_TYPES[self.kind])
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.kind}"'
        return response
