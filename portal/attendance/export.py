"""Approved periods as rows for payroll: CSV and XLSX, one row a person and day."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from portal.attendance.labels import label
from portal.attendance.models import TimeCard, TimePeriod

HEADER = [
    "Employee code",
    "Name",
    "Date",
    "Worked (min)",
    "Breaks (min)",
    "Overtime (min)",
    "Late (min)",
    "Early (min)",
    "Absent",
    "Exceptions",
]


def approved_rows(people, start, end) -> list[list]:
    """Only days inside an approved period: an open period is not payroll's yet."""
    ids = [p.pk for p in people]
    periods = list(
        TimePeriod.objects.filter(
            person_id__in=ids,
            status=TimePeriod.Status.APPROVED,
            start__lte=end,
            end__gte=start,
        ).values_list("person_id", "start", "end")
    )
    approved = {}
    for pid, p_start, p_end in periods:
        approved.setdefault(pid, []).append((p_start, p_end))
    cards = (
        TimeCard.objects.filter(person_id__in=list(approved), work_date__range=(start, end))
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "work_date")
    )
    rows = []
    for card in cards:
        if not any(a <= card.work_date <= b for a, b in approved[card.person_id]):
            continue
        rows.append(
            [
                card.person.employee_code,
                card.person.full_name,
                card.work_date.isoformat(),
                card.worked_minutes,
                card.break_minutes,
                card.overtime_minutes + card.weekly_overtime_minutes,
                card.late_minutes,
                card.early_minutes,
                "yes" if "absent" in card.flags else "no",
                "; ".join(label(f) for f in card.flags),
            ]
        )
    return rows


def as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        # a leading = + - @ would be a formula in a spreadsheet: quote it as text
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cell in sheet["C"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
