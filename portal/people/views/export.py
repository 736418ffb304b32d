"""The directory as CSV: the same filters and order as the page, streamed row by row."""

from __future__ import annotations

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views import View

from portal.core import audit
from portal.core.permissions import PermissionRequiredMixin
from portal.people.views.directory import DirectoryQueryMixin, dress, with_row_details

HEADER = [
    "Employee code",
    "First name",
    "Last name",
    "E-mail",
    "Phone",
    "Department",
    "Position",
    "Sites",
    "Manager (code)",
    "Status",
    "Hire date",
    "Last working day",
    "Systems",
    "Problems",
]
#: a cell starting with one of these is a formula to a spreadsheet: "=HYPERLINK(…)" from a vendor
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class Echo:
    """A file-like object whose ``write`` hands the line back, for streaming ``csv.writer``."""

    def write(self, value):
        return value


def csv_row(person) -> list[str]:
    return [
        safe_cell(value)
        for value in (
            person.employee_code,
            person.first_name,
            person.last_name,
            person.email,
            person.phone,
            person.department,
            person.position,
            "; ".join(person.site_list),
            person.manager.employee_code if person.manager_id else "",
            person.get_status_display(),
            person.hire_date,
            person.termination_date,
            "; ".join(person.system_list),
            "; ".join(p.label for p in person.problem_list),
        )
    ]


class PersonExportView(DirectoryQueryMixin, PermissionRequiredMixin, View):
    permission_required = "people.view_person"
    chunk_size = 2000

    def get(self, request):
        people = self.filtered_people()
        audit.record(
            "people.exported",
            request=request,
            after={
                "rows": people.count(),
                "filters": {k: v for k, v in request.GET.lists() if any(v)},
                "format": "csv",
            },
        )
        rows = with_row_details(people).select_related("manager")
        writer = csv.writer(Echo())

        def lines():
            yield "\ufeff"  # Excel reads the umlauts right only with a byte-order mark
            yield writer.writerow(HEADER)
            for person in rows.iterator(chunk_size=self.chunk_size):
                yield writer.writerow(csv_row(dress(person)))

        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="people-{stamp}.csv"'},
        )
