"""Exports of responses and réclamations in the CSV formats of DESIGN.md.

Rows are streamed from the database in batches, so a large export does not sit in memory.
Every cell a spreadsheet would run as a formula is neutralised
(:func:`surveys.spreadsheet.neutralise`); the imports undo it, so that import → export →
import round-trips.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import DomainError
from .csvformat import RECLAMATION_COLUMNS, RESPONSE_LEADING, RESPONSE_TRAILING, format_datetime
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
            raise DomainError(f"unknown site {code!r}", field="site", code="unknown_site")
    return list(found.values())


def criterion_columns(session: Session) -> list[tuple[str, int]]:
    """Return (code, id) of every criterion, in creation order: the rating columns."""
    return [tuple(r) for r in session.execute(select(Criterion.code, Criterion.id).order_by("id"))]


def response_rows(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: Iterable[str] = (),
) -> Iterator[list]:
    """Yield the header then one neutralised row per response, ordered by submission time.

    ``date_from``/``date_to`` (inclusive) are read in Europe/Paris on ``submitted_at``; a
    site's own time zone decides how its ``submitted_at`` is written.
    """
    site_ids = _site_ids(session, site_codes)
    columns = criterion_columns(session)
    yield [*RESPONSE_LEADING, *(code for code, _ in columns), *RESPONSE_TRAILING]
    paris = ZoneInfo("Europe/Paris")
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
    if date_from:
        query = query.where(
            Response.submitted_at >= datetime.combine(date_from, time(0), paris).astimezone(UTC)
        )
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time(0), paris).astimezone(UTC)
        query = query.where(Response.submitted_at < end)
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids))
    # Keyset pagination: a plain server-side cursor would hold a read transaction open on
    # SQLite and needs a named cursor on PostgreSQL; batches by (submitted_at, id) need neither.
    last: tuple | None = None
    while True:
        page = query
        if last is not None:
            page = page.where(
                (Response.submitted_at > last[0])
                | ((Response.submitted_at == last[0]) & (Response.id > last[1]))
            )
        rows = session.execute(page.limit(BATCH)).all()
        if not rows:
            return
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
                format_datetime(submitted_at, tz),
                neutralise(site),
                neutralise(service),
                channel,
                language,
                *(given.get(criterion_id, "") for _, criterion_id in columns),
                neutralise(comment or ""),
            ]
        last = (rows[-1][2], rows[-1][0])


def reclamation_rows(
    session: Session,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: Iterable[str] = (),
) -> Iterator[list]:
    """Yield the header then one neutralised row per réclamation, by date of receipt.

    ``date_from``/``date_to`` (inclusive) apply to ``received_on``.
    """
    site_ids = _site_ids(session, site_codes)
    yield list(RECLAMATION_COLUMNS)
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
    if date_from:
        query = query.where(Reclamation.received_on >= date_from)
    if date_to:
        query = query.where(Reclamation.received_on <= date_to)
    if site_ids is not None:
        query = query.where(Reclamation.site_id.in_(site_ids))
    last: tuple | None = None
    while True:
        page = query
        if last is not None:
            page = page.where(
                (Reclamation.received_on > last[0])
                | ((Reclamation.received_on == last[0]) & (Reclamation.id > last[1]))
            )
        rows = session.execute(page.limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            _pk, reference, kind, channel, site, service, category, received, answered = row[:9]
            yield [
                neutralise(reference),
                kind,
                channel,
                neutralise(site),
                neutralise(service or ""),
                neutralise(category),
                received.isoformat(),
                answered.isoformat() if answered else "",
                row[9] or "",
                neutralise(row[10]),
            ]
        last = (rows[-1][7], rows[-1][0])


def write_csv(rows: Iterable[list], out: TextIO) -> int:
    """Write ``rows`` (header first) to ``out`` as CSV; return the number of data rows."""
    # The default \r\n line end also makes the writer quote cells holding a lone \r.
    writer = csv.writer(out)
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0)
