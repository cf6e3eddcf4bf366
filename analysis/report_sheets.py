"""The report as CSV (the tables one after another) and as an XLSX workbook (one sheet
per table, filters at the top, frozen header row, percentages formatted). Every text
cell goes through ``surveys.spreadsheet.neutralise``."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO
from typing import TYPE_CHECKING

from surveys.spreadsheet import neutralise

from .i18n import Formatter
from .names import filters_text
from .report import Report
from .tables import Table, report_tables

if TYPE_CHECKING:
    from openpyxl import Workbook


# A register indicator's value in a spreadsheet: its number, shown as its kind reads.
REGISTER_FORMATS = {"rate": "0.0%", "mean": "0.00", "count": "#,##0"}


def _cell(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind in ("rate", "number", "points", "register"):
        return round(float(value), 4)
    if kind == "int":
        return int(value)
    return neutralise(str(value))


def _csv_cell(value: object, kind: str, fmt: Formatter) -> str:
    """A cell as a spreadsheet of the reader's language reads it: rates in percent,
    numbers with the language's decimal mark and no thousands separator."""
    if value is None:
        return ""
    if kind == "rate":
        return f"{float(value) * 100:.1f}".replace(".", fmt.decimal_mark)
    if kind in ("number", "points"):
        return f"{float(value):.2f}".replace(".", fmt.decimal_mark)
    if kind == "int":
        return str(int(value))
    return neutralise(str(value))


def _csv_title(column) -> str:
    return f"{column.title} (%)" if column.kind == "rate" else column.title


def report_csv(report: Report, language: str = "fr") -> str:
    """Return the report as CSV text for a spreadsheet of ``language``: the filters, then
    each table under its title. In French, as a French spreadsheet opens it: semicolons,
    decimal commas (the caller writes it as UTF-8 with a byte-order mark). Rates are in
    percent. Programs should read ``avis export`` or the JSON report instead."""
    fmt = Formatter(language)
    out = StringIO()
    writer = csv.writer(out, delimiter=";" if fmt.decimal_mark == "," else ",", lineterminator="\n")
    for label, value in filters_text(report, fmt):
        writer.writerow([neutralise(label), neutralise(value)])
    for table in report_tables(report, fmt):
        writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(_csv_title(c)) for c in table.columns])
        for row in table.rows:
            writer.writerow(
                [
                    neutralise(row.get(f"{c.key}_text", ""))
                    if c.kind == "register"
                    else _csv_cell(row.get(c.key), c.kind, fmt)
                    for c in table.columns
                ]
            )
    return out.getvalue()


def _sheet(book: Workbook, table: Table, filters: list[tuple[str, str]]) -> None:
    # openpyxl is imported here, not at start-up: every CLI command and worker would pay it.
    from openpyxl.styles import Alignment, Font, PatternFill
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
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append([_cell(row.get(c.key), c.kind) for c in table.columns])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        if column.kind == "usager":
            width = 60
        else:
            longest = max((len(str(row.get(column.key) or "")) for row in table.rows), default=0)
            if column.kind != "text":
                longest = min(longest, 8)
            # Wide enough for the title on at most two lines and for the longest value.
            width = max(10, min(50, max(len(column.title) / 2 + 2, longest + 2)))
        sheet.column_dimensions[letter].width = width
        number_format = {
            "rate": "0.0%",
            "number": "0.0",
            "points": "+0.0;-0.0;0.0",
            "int": "#,##0",
        }.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.number_format = number_format
        if column.kind == "register":
            cells = sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index)
            for (cell,), row in zip(cells, table.rows, strict=True):
                cell.number_format = REGISTER_FORMATS.get(row.get("indicator_kind"), "0.00")
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
