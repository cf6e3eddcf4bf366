"""Import of responses (paper questionnaires, history from another tool) from CSV.

One pass over the file: each row is checked with cached lookups; valid rows are stored in
chunks through :func:`surveys.responses.insert_responses` while no error has been seen. On the
first error storing stops, checking goes on to report every bad line, and the raised
:class:`~surveys.csvformat.ImportRefused` makes the caller roll the whole file back.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .campaigns import CampaignResolver
from .csvformat import (
    RESPONSE_LEADING,
    RESPONSE_TRAILING,
    CellError,
    CsvFile,
    ErrorList,
    ImportResult,
    Progress,
    check_header,
    parse_datetime,
    parse_rating,
)
from .languages import USAGER_LANGUAGES
from .models import Answer, Criterion, QuestionnaireItem, Response, Service, Site
from .models.responses import RESPONSE_CHANNELS
from .responses import NewResponse, insert_responses
from .spreadsheet import unneutralise
from .tallies import add_to_tallies

CHUNK = 2000
TALLY_GROUP = 50_000
MAX_COMMENT = 10_000


class _Lookups:
    """Everything a row is checked against, read once."""

    def __init__(self, session: Session) -> None:
        self.criteria: dict[str, int] = dict(
            session.execute(select(Criterion.code, Criterion.id)).all()
        )
        self.sites: dict[str, tuple[int, str]] = {
            code: (site_id, tz)
            for code, site_id, tz in session.execute(select(Site.code, Site.id, Site.timezone))
        }
        self.services: dict[tuple[str, str], int] = {
            (site_code, code): service_id
            for site_code, code, service_id in session.execute(
                select(Site.code, Service.code, Service.id).join(Service.site)
            )
        }
        self.resolver = CampaignResolver(session)
        self._items: dict[int, frozenset[int]] = {}
        self._session = session

    def questionnaire_criteria(self, questionnaire_id: int) -> frozenset[int]:
        if questionnaire_id not in self._items:
            self._items[questionnaire_id] = frozenset(
                self._session.scalars(
                    select(QuestionnaireItem.criterion_id).where(
                        QuestionnaireItem.questionnaire_id == questionnaire_id
                    )
                )
            )
        return self._items[questionnaire_id]


def _parse_row(
    line: int,
    row: dict[str, str],
    columns: list[tuple[str, int]],
    lookups: _Lookups,
    errors: ErrorList,
) -> NewResponse | None:
    """Return the row as a NewResponse, or None after recording its errors."""
    before = errors.count
    try:
        parsed_id = uuid.UUID(row["response_id"].strip())
        response_id = str(parsed_id)
    except ValueError:
        errors.add(line, "response_id", f"{row['response_id']!r} is not a UUID")
        response_id = None
    site_code = row["site"].strip()
    site = lookups.sites.get(site_code)
    if site is None:
        errors.add(line, "site", f"unknown site {site_code!r}")
    service_code = row["service"].strip()
    service_id = lookups.services.get((site_code, service_code))
    if site is not None and service_id is None:
        errors.add(line, "service", f"unknown service {service_code!r} at site {site_code}")
    submitted_at = None
    try:
        submitted_at = parse_datetime(row["submitted_at"], site[1] if site else "Europe/Paris")
    except CellError as error:
        errors.add(line, "submitted_at", str(error))
    channel = row["channel"].strip()
    if channel not in RESPONSE_CHANNELS:
        errors.add(line, "channel", f"unknown channel {channel!r} ({', '.join(RESPONSE_CHANNELS)})")
    language = row["language"].strip() or "fr"
    if language not in USAGER_LANGUAGES:
        errors.add(line, "language", f"unknown language {language!r}")
    ratings: dict[int, int] = {}
    for column, criterion_id in columns:
        try:
            rating = parse_rating(row[column])
        except CellError as error:
            errors.add(line, column, str(error))
            continue
        if rating is not None:
            ratings[criterion_id] = rating
    comment = unneutralise(row["comment"]) if row["comment"].strip() else None
    if comment and len(comment) > MAX_COMMENT:
        errors.add(line, "comment", f"longer than {MAX_COMMENT} characters")
    if not ratings and not comment and errors.count == before:
        errors.add(line, None, "no rating and no comment")
    if errors.count != before:
        return None
    questionnaire_id, campaign_id = lookups.resolver.resolve(site[0], service_id, submitted_at)
    allowed = lookups.questionnaire_criteria(questionnaire_id)
    for column, criterion_id in columns:
        if criterion_id in ratings and criterion_id not in allowed:
            errors.add(line, column, "this criterion is not in the questionnaire of that date")
    if errors.count != before:
        return None
    return NewResponse(
        response_id=response_id,
        site_id=site[0],
        service_id=service_id,
        channel=channel,
        language=language,
        submitted_at=submitted_at.astimezone(UTC),
        questionnaire_id=questionnaire_id,
        campaign_id=campaign_id,
        ratings=ratings,
        comment=comment,
    )


def _content(r: NewResponse) -> tuple:
    return (
        r.site_id,
        r.service_id,
        r.channel,
        r.language,
        r.submitted_at.astimezone(UTC).replace(microsecond=0),
        r.comment,
        tuple(sorted(r.ratings.items())),
    )


def _stored_contents(session: Session, response_ids: list[str]) -> dict[str, tuple]:
    """Return response_id -> comparable content for those of ``response_ids`` stored."""
    rows = session.execute(
        select(
            Response.id,
            Response.response_id,
            Response.site_id,
            Response.service_id,
            Response.channel,
            Response.language,
            Response.submitted_at,
            Response.comment,
        ).where(Response.response_id.in_(response_ids))
    ).all()
    if not rows:
        return {}
    ratings: dict[int, list[tuple[int, int]]] = {}
    for pk, criterion_id, rating in session.execute(
        select(Answer.response_id, Answer.criterion_id, Answer.rating).where(
            Answer.response_id.in_([r.id for r in rows])
        )
    ):
        ratings.setdefault(pk, []).append((criterion_id, rating))
    return {
        r.response_id: (
            r.site_id,
            r.service_id,
            r.channel,
            r.language,
            r.submitted_at.astimezone(UTC).replace(microsecond=0),
            r.comment,
            tuple(sorted(ratings.get(r.id, []))),
        )
        for r in rows
    }


def import_responses(
    session: Session, path: str | Path, progress: Progress | None = None, chunk: int = CHUNK
) -> ImportResult:
    """Check and store the responses of a CSV file; return the counts.

    Raises :class:`~surveys.csvformat.ImportRefused` listing the bad lines; the caller must
    then roll back (rows of the first chunks may already be in the transaction).
    """
    errors = ErrorList()
    source = CsvFile(path, errors)
    lookups = _Lookups(session)
    if source.header is not None:
        check_header(
            source.header,
            RESPONSE_LEADING + RESPONSE_TRAILING,
            errors,
            allowed=set(lookups.criteria),
        )
    errors.raise_if_any()
    columns = [(c, lookups.criteria[c]) for c in source.header if c in lookups.criteria]
    result = ImportResult()
    seen: dict[bytes, int] = {}
    pending: list[tuple[int, NewResponse]] = []
    reported = [0]  # rows already counted on the progress bar
    # Stored rows not yet added to the tallies: adding them in large groups lets the
    # tallies sum many responses per row they write (same transaction, same result).
    untallied: list[NewResponse] = []

    def flush() -> None:
        stored = _stored_contents(session, [r.response_id for _, r in pending])
        fresh = []
        for line, response in pending:
            known = stored.get(response.response_id)
            if known is None:
                fresh.append(response)
            elif known == _content(response):
                result.unchanged += 1
            else:
                errors.add(line, "response_id", "conflicts with the stored response")
        if fresh and not errors:
            insert_responses(session, fresh, tallies=False)
            result.created += len(fresh)
            untallied.extend(fresh)
            if len(untallied) >= TALLY_GROUP:
                add_to_tallies(session, untallied)
                untallied.clear()
        if progress:
            progress(result.read - reported[0])
            reported[0] = result.read
        pending.clear()

    for line, row in source.rows():
        result.read += 1
        response = _parse_row(line, row, columns, lookups, errors)
        if response is None:
            continue
        # 16-byte keys keep a million ids in about 100 MB.
        first = seen.setdefault(uuid.UUID(response.response_id).bytes, line)
        if first != line:
            errors.add(line, "response_id", f"duplicate of line {first}")
            continue
        pending.append((line, response))
        if len(pending) >= chunk:
            flush()
    flush()
    errors.raise_if_any()
    add_to_tallies(session, untallied)
    return result
