"""The workbook of a ``format=excel`` report: one sheet, a header row, then one row per record."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Excel refuses longer sheet names
MAX_SHEET_NAME = 31


def workbook(sheet_name: str, header: list[str], rows: list[list]) -> bytes:
    book = Workbook(write_only=True)  # streamed: a big report never sits in memory twice
    sheet = book.create_sheet(title=sheet_name[:MAX_SHEET_NAME])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
