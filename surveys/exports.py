"""Exports of responses and réclamations in the formats of DESIGN.md: CSV (the contract:
UTF-8, comma, ISO dates) or an XLSX workbook with the same columns.

Rows are streamed from the database in batches, so a large export does not sit in memory.
Every cell a spreadsheet would run as a formula is neutralised
(:func:`surveys.spreadsheet.neutralise`), in a workbook as in CSV; the imports undo it, so
that import → export → import round-trips. A workbook holds real dates (a time that
happened twice when the clocks went back stays ISO text with its offset) and a frozen
header row.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from . import DomainError
from .csvformat import (
    RECLAMATION_COLUMNS,
    RESPONSE_LEADING,
    RESPONSE_TRAILING,
    Progress,
    format_datetime,
)
from .i18n import _l
from .models import Answer, Criterion, Reclamation, ReclamationCategory, Response, Service, Site
from .spreadsheet import neutralise

BATCH = 5000


def _site_ids(session: Session, site_codes: Iterable[str]) -> list[int] | None:
    """Return the ids of ``site_codes`` (None: every site); an unknown code is an error."""
    codes = list(site_codes)
    if not codes:
        return None
    found = dict(session.execute(select(Site.code, Site.id).where(Site.code.in_(codes))).all())
    for code in codes:
        if code not in found:
            raise DomainError(
                _l("site inconnu « {value} »", value=code), field="site", code="unknown_site"
            )
    return list(found.values())


def _count(session: Session, query: Select) -> int:
    """How many rows ``query`` yields (for the progress bar of an export)."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def criterion_columns(session: Session) -> list[tuple[str, int]]:
    """Return (code, id) of every criterion, in creation order: the rating columns."""
    return [tuple(r) for r in session.execute(select(Criterion.code, Criterion.id).order_by("id"))]


def _within(query: Select, day, site, date_from, date_to, site_ids) -> Select:
    """``query`` kept to the days ``date_from``..``date_to`` (inclusive, either open) of its
    ``day`` column and, unless ``site_ids`` is None, to those sites."""
    if date_from:
        query = query.where(day >= date_from)
    if date_to:
        query = query.where(day <= date_to)
    if site_ids is not None:
        query = query.where(site.in_(site_ids))
    return query


def _pages(session: Session, query: Select, when: tuple, key) -> Iterator[list]:
    """Yield ``query``'s rows in lists of BATCH, in the order of (``when``, ``key``):
    ``when`` is a column and its place in a row, ``key`` the rows' first column.

    Keyset pagination: a plain server-side cursor would hold a read transaction open on
    SQLite and needs a named cursor on PostgreSQL; batches by (when, key) need neither."""
    when_column, when_at = when
    last: tuple | None = None
    while True:
        page = query
        if last is not None:
            page = page.where(
                (when_column > last[0]) | ((when_column == last[0]) & (key > last[1]))
            )
        rows = session.execute(page.limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = (rows[-1][when_at], rows[-1][0])


def _response_query(session: Session, date_from, date_to, site_codes) -> Select:
    site_ids = _site_ids(session, site_codes)
    query = (
        select(
            Response.id,
            Response.response_id,
            Response.submitted_at,
            Site.code,
            Site.timezone,
            Service.code,
            Response.channel,
            Response.language,
            Response.comment,
        )
        .join(Site, Site.id == Response.site_id)
        .join(Service, Service.id == Response.service_id)
        .order_by(Response.submitted_at, Response.id)
    )
    # Days in each site's own calendar, as the report counts them (``Response.local_day``).
    return _within(query, Response.local_day, Response.site_id, date_from, date_to, site_ids)


def count_responses(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: Iterable[str] = (),
) -> int:
    """Return how many rows :func:`response_rows` yields with the same filters."""
    return _count(session, _response_query(session, date_from, date_to, site_codes))


def response_rows(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: Iterable[str] = (),
    typed: bool = False,
) -> Iterator[list]:
    """Yield the header then one neutralised row per response, ordered by submission time.

    ``date_from``/``date_to`` (inclusive) are days in each site's own calendar, as the
    report counts them (an answer at 1:00 on 1 January in La Réunion is still 31 December in
    Paris); that time zone also decides how its ``submitted_at`` is written: ISO text with
    its offset, or with ``typed`` (a workbook) the aware datetime in that zone.
    """
    query = _response_query(session, date_from, date_to, site_codes)
    columns = criterion_columns(session)
    yield [*RESPONSE_LEADING, *(code for code, _ in columns), *RESPONSE_TRAILING]
    for rows in _pages(session, query, (Response.submitted_at, 2), Response.id):
        ratings: dict[int, dict[int, int]] = {}
        for pk, criterion_id, rating in session.execute(
            select(Answer.response_id, Answer.criterion_id, Answer.rating).where(
                Answer.response_id.in_([r[0] for r in rows])
            )
        ):
            ratings.setdefault(pk, {})[criterion_id] = rating
        for pk, response_id, submitted_at, site, tz, service, channel, language, comment in rows:
            given = ratings.get(pk, {})
            yield [
                response_id,
                submitted_at.astimezone(ZoneInfo(tz))
                if typed
                else format_datetime(submitted_at, tz),
                neutralise(site),
                neutralise(service),
                channel,
                language,
                *(given.get(criterion_id, "") for _, criterion_id in columns),
                neutralise(comment or ""),
            ]


def _reclamation_query(session: Session, date_from, date_to, site_codes) -> Select:
    site_ids = _site_ids(session, site_codes)
    query = (
        select(
            Reclamation.id,
            Reclamation.reference,
            Reclamation.kind,
            Reclamation.channel,
            Site.code,
            Service.code,
            ReclamationCategory.code,
            Reclamation.received_on,
            Reclamation.answered_on,
            Reclamation.reply_channel,
            Reclamation.text,
        )
        .join(Site, Site.id == Reclamation.site_id)
        .outerjoin(Service, Service.id == Reclamation.service_id)
        .join(ReclamationCategory, ReclamationCategory.id == Reclamation.category_id)
        .order_by(Reclamation.received_on, Reclamation.id)
    )
    return _within(
        query, Reclamation.received_on, Reclamation.site_id, date_from, date_to, site_ids
    )


def count_reclamations(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: Iterable[str] = (),
) -> int:
    """Return how many rows :func:`reclamation_rows` yields with the same filters."""
    return _count(session, _reclamation_query(session, date_from, date_to, site_codes))


def reclamation_rows(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: Iterable[str] = (),
    typed: bool = False,
) -> Iterator[list]:
    """Yield the header then one neutralised row per réclamation, by date of receipt.

    ``date_from``/``date_to`` (inclusive) apply to ``received_on``; dates are ISO text, or
    with ``typed`` (a workbook) dates.
    """
    query = _reclamation_query(session, date_from, date_to, site_codes)
    yield list(RECLAMATION_COLUMNS)
    for rows in _pages(session, query, (Reclamation.received_on, 7), Reclamation.id):
        for row in rows:
            _pk, reference, kind, channel, site, service, category, received, answered = row[:9]
            yield [
                neutralise(reference),
                kind,
                channel,
                neutralise(site),
                neutralise(service or ""),
                neutralise(category),
                received if typed else received.isoformat(),
                (answered if typed else answered.isoformat()) if answered else "",
                row[9] or "",
                neutralise(row[10]),
            ]


def write_csv(rows: Iterable[list], out: TextIO, progress: Progress | None = None) -> int:
    """Write ``rows`` (header first) to ``out`` as CSV; return the number of data rows."""
    # The default \r\n line end also makes the writer quote cells holding a lone \r.
    writer = csv.writer(out)
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
        if progress and count and count % BATCH == 0:
            progress(BATCH)
    if progress and count > 0:
        progress(count % BATCH)
    return max(count, 0)


# Rows read before the columns' widths are set (a write-only sheet needs them first).
WIDTH_SAMPLE = 200
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
DATE_FORMAT = "dd/mm/yyyy"


def _xlsx_value(value: object) -> tuple[object, str | None]:
    """Return a cell's value for a workbook and its number format."""
    if isinstance(value, datetime):
        # A local time that happened twice (clocks going back) would lose which one it was.
        if value.replace(fold=1 - value.fold).utcoffset() != value.utcoffset():
            return value.isoformat(timespec="seconds"), None
        return value.replace(tzinfo=None, microsecond=0), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if value == "":
        return None, None
    return value, None


def _width(value: object) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    text = str(value or "")
    return max((len(part) for part in text.splitlines()), default=0)


def write_xlsx(rows: Iterable[list], path: str | Path, progress: Progress | None = None) -> int:
    """Write ``rows`` (header first; typed: dates as dates) to an XLSX workbook at ``path``,
    one sheet, header bold and frozen, columns as wide as their first rows need (at most
    60 characters); return the number of data rows."""
    # openpyxl is imported here, not at start-up: every CLI command would pay it.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("avis")
    iterator = iter(rows)
    header = next(iterator)
    sample = [row for _, row in zip(range(WIDTH_SAMPLE), iterator, strict=False)]
    for index, name in enumerate(header, start=1):
        widest = max([len(name), *(_width(row[index - 1]) for row in sample)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=neutralise(name))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    count = 0
    for row in itertools.chain(sample, iterator):
        out = []
        for value in row:
            value, number_format = _xlsx_value(value)
            if number_format is None:
                out.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            out.append(cell)
        sheet.append(out)
        count += 1
        if progress and count % BATCH == 0:
            progress(BATCH)
    if progress and count % BATCH:
        progress(count % BATCH)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    book.save(path)
    return count
