"""The report as CSV (the tables one after another) and as an XLSX workbook (one sheet
per table, filters at the top, frozen header row, percentages formatted). Every text
cell goes through ``surveys.spreadsheet.neutralise``."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO
from typing import TYPE_CHECKING

from surveys.spreadsheet import neutralise

from .i18n import Formatter
from .report import Report
from .tables import Table, filters_text, report_tables

if TYPE_CHECKING:
    from openpyxl import Workbook


def _cell(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind in ("rate", "number"):
        return round(float(value), 4)
    if kind == "int":
        return int(value)
    return neutralise(str(value))


def report_csv(report: Report, language: str = "fr") -> str:
    """Return the report as CSV text: the filters, then each table under its title."""
    fmt = Formatter(language)
    out = StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for label, value in filters_text(report, fmt):
        writer.writerow([neutralise(label), neutralise(value)])
    for table in report_tables(report, fmt):
        writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(c.title) for c in table.columns])
        for row in table.rows:
            writer.writerow([_cell(row.get(c.key), c.kind) for c in table.columns])
    return out.getvalue()


def _sheet(book: Workbook, table: Table, filters: list[tuple[str, str]]) -> None:
    # openpyxl is imported here, not at start-up: every CLI command and worker would pay it.
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="000091")
    sheet = book.create_sheet(table.name[:31])
    sheet.append([neutralise(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in filters:
        sheet.append([neutralise(label), neutralise(value)])
    sheet.append([])
    sheet.append([neutralise(c.title) for c in table.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
    for row in table.rows:
        sheet.append([_cell(row.get(c.key), c.kind) for c in table.columns])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        width = 40 if column.kind == "usager" else max(10, min(30, len(column.title) + 2))
        sheet.column_dimensions[letter].width = width
        number_format = {"rate": "0.0%", "number": "0.0", "int": "#,##0"}.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def report_xlsx(report: Report, language: str = "fr") -> bytes:
    """Return the report as an XLSX workbook, one sheet per table."""
    from openpyxl import Workbook

    fmt = Formatter(language)
    book = Workbook()
    book.remove(book.active)
    filters = filters_text(report, fmt)
    for table in report_tables(report, fmt):
        _sheet(book, table, filters)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
