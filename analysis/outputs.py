"""The campaign report in each of its formats: the one dispatch that ``avis report`` and the
dashboard's downloads share (DESIGN.md: ``--format json|csv|xlsx|html|pdf|pptx``)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from .filters import ReportFilters

# Format -> media type of the file, in the order the dashboard offers them.
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
FORMATS = tuple(MEDIA_TYPES)


def render_report(
    session: Session,
    filters: ReportFilters,
    fmt: str,
    language: str,
    today: date | None = None,
) -> bytes:
    """Return the report of ``filters`` in ``fmt`` (one of FORMATS) as bytes."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown report format {fmt!r}")
    from .report import build_report, report_json  # pandas: only when reporting

    report = build_report(session, filters, today=today, full=fmt != "json")
    if fmt == "json":
        return json.dumps(report_json(report), ensure_ascii=False).encode()
    # Charts, spreadsheets, PDF and decks load heavy libraries: only the one asked for.
    if fmt == "csv":
        from .report_sheets import report_csv

        return report_csv(report, language).encode("utf-8-sig")
    if fmt == "xlsx":
        from .report_sheets import report_xlsx

        return report_xlsx(report, language)
    if fmt == "html":
        from .render import report_html

        return report_html(session, report, language).encode()
    if fmt == "pptx":
        from .deck import report_pptx

        return report_pptx(session, report, language)
    from .render import report_pdf

    return report_pdf(session, report, language)
