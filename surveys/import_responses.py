"""Import of responses (paper questionnaires, history from another tool) from CSV.

One pass over the file: each row is checked with cached look-ups; valid rows are stored in
chunks through :class:`surveys.responses.BulkResponseWriter` (the driver's executemany, or
COPY on PostgreSQL) while no error has been seen, and counted for the tallies in memory
(:class:`surveys.tallies.TallyAccumulator`), written once at the end in the same
transaction. On the first error storing stops, checking goes on to report every bad line,
and the raised :class:`~surveys.csvformat.ImportRefused` makes the caller roll the whole
file back. A million rows take under two minutes on SQLite (``bench/import_responses.py``).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
from .models import Criterion, QuestionnaireItem, Service, Site
from .models.responses import RESPONSE_CHANNELS
from .responses import BulkResponseWriter
from .spreadsheet import unneutralise
from .tallies import TallyAccumulator

CHUNK = 5000
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


_CANONICAL_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"
).match
_RATING_CELLS = {"": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
_CHANNELS = frozenset(RESPONSE_CHANNELS)
_LANGUAGES = frozenset(USAGER_LANGUAGES)


class _Checker:
    """Checks rows given as lists of cells; the usual row costs a few dictionary look-ups.

    Returns each good row as the tuple :class:`~surveys.responses.BulkResponseWriter`
    stores, with its ratings as one byte per criterion column; records the errors of a
    bad row, in the order of its columns, and returns None.
    """

    def __init__(self, header: list[str], lookups: _Lookups, errors: ErrorList) -> None:
        self.lookups = lookups
        self.errors = errors
        position = {name: index for index, name in enumerate(header)}
        self.leading = [position[name] for name in RESPONSE_LEADING]
        self.comment = position["comment"]
        self.columns = [(position[c], c) for c in header if c in lookups.criteria]
        self.criterion_ids = [lookups.criteria[c] for _, c in self.columns]
        self.rating_positions = [index for index, _ in self.columns]
        self.places = {
            (site_code, service_code): (site[0], service_id, site[1])
            for (site_code, service_code), service_id in lookups.services.items()
            if (site := lookups.sites.get(site_code)) is not None
        }
        # Per questionnaire: the criterion columns it does not hold.
        self._outside: dict[int, list[int]] = {}

    def outside(self, questionnaire_id: int) -> list[int]:
        if questionnaire_id not in self._outside:
            allowed = self.lookups.questionnaire_criteria(questionnaire_id)
            self._outside[questionnaire_id] = [
                column
                for column, criterion_id in enumerate(self.criterion_ids)
                if criterion_id not in allowed
            ]
        return self._outside[questionnaire_id]

    def check(self, line: int, values: list[str]) -> tuple[tuple, bytes] | None:
        i_id, i_at, i_site, i_service, i_channel, i_language = self.leading
        response_id = values[i_id]
        if not _CANONICAL_UUID(response_id):
            response_id = self._uuid(line, response_id)
        place = self.places.get((values[i_site].strip(), values[i_service].strip()))
        ratings = [_RATING_CELLS.get(values[i]) for i in self.rating_positions]
        channel = values[i_channel].strip()
        language = values[i_language].strip() or "fr"
        comment = values[self.comment]
        comment = unneutralise(comment) if comment.strip() else None
        try:
            submitted_at = datetime.fromisoformat(values[i_at].strip())
        except ValueError:
            submitted_at = None
        if (
            response_id is None
            or place is None
            or submitted_at is None
            or None in ratings
            or channel not in _CHANNELS
            or language not in _LANGUAGES
            or (not comment and not any(ratings))
            or (comment and len(comment) > MAX_COMMENT)
        ):
            return self._report(line, values)
        site_id, service_id, timezone = place
        if submitted_at.tzinfo is None:
            submitted_at = submitted_at.replace(tzinfo=ZoneInfo(timezone))
        submitted_at = submitted_at.astimezone(UTC)
        questionnaire_id, campaign_id = self.lookups.resolver.resolve(
            site_id, service_id, submitted_at
        )
        outside = self.outside(questionnaire_id)
        if outside and any(ratings[column] for column in outside):
            for column in outside:
                if ratings[column]:
                    code = self.columns[column][1]
                    self.errors.add(line, code, outside_questionnaire_message(code))
            return None
        return (
            response_id,
            site_id,
            service_id,
            channel,
            language,
            submitted_at,
            questionnaire_id,
            campaign_id,
            comment,
        ), bytes(ratings)

    def _uuid(self, line: int, value: str) -> str | None:
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            return None

    def _report(self, line: int, values: list[str]) -> None:
        """Record every error of a row that failed a quick check (a row may pass)."""
        errors, lookups = self.errors, self.lookups
        row = dict(zip(RESPONSE_LEADING, (values[i] for i in self.leading), strict=True))
        before = errors.count
        if self._uuid(line, row["response_id"]) is None:
            errors.add(line, "response_id", f"{row['response_id']!r} is not a UUID")
        site_code = row["site"].strip()
        site = lookups.sites.get(site_code)
        if site is None:
            errors.add(line, "site", f"unknown site {site_code!r}")
        service_code = row["service"].strip()
        if site is not None and (site_code, service_code) not in lookups.services:
            errors.add(line, "service", f"unknown service {service_code!r} at site {site_code}")
        try:
            parse_datetime(row["submitted_at"], site[1] if site else "Europe/Paris")
        except CellError as error:
            errors.add(line, "submitted_at", str(error))
        channel = row["channel"].strip()
        if channel not in _CHANNELS:
            known = ", ".join(RESPONSE_CHANNELS)
            errors.add(line, "channel", f"unknown channel {channel!r} ({known})")
        language = row["language"].strip() or "fr"
        if language not in _LANGUAGES:
            errors.add(line, "language", f"unknown language {language!r}")
        rated = False
        for index, column in self.columns:
            try:
                rated = parse_rating(values[index]) is not None or rated
            except CellError as error:
                errors.add(line, column, str(error))
        cell = values[self.comment]
        comment = unneutralise(cell) if cell.strip() else None
        if comment and len(comment) > MAX_COMMENT:
            errors.add(line, "comment", f"longer than {MAX_COMMENT} characters")
        if not rated and not comment and errors.count == before:
            errors.add(line, None, "no rating and no comment")
        if errors.count != before:
            return None
        # Only a rating written another way (" 5", "05") failed the quick check: write it
        # the usual way and check the row again.
        values = list(values)
        for index in self.rating_positions:
            rating = parse_rating(values[index])
            values[index] = str(rating) if rating else ""
        return self.check(line, values)


def outside_questionnaire_message(criterion_code: str) -> str:
    """The refusal of a rating whose criterion the questionnaire of its date does not ask,
    with the commands that make one that does."""
    return (
        "this criterion is not in the questionnaire of that date: create a questionnaire "
        f"that holds {criterion_code} and a campaign for those dates: avis questionnaires add "
        f"CODE --name NAME --criteria overall,...,{criterion_code}, then avis campaigns add "
        "CAMPAIGN --name NAME --questionnaire CODE --from DATE --to DATE"
    )


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
    checker = _Checker(source.header, lookups, errors)
    writer = BulkResponseWriter(session, checker.criterion_ids)
    tallies = TallyAccumulator(session, checker.criterion_ids)
    result = ImportResult()
    # 16-byte keys keep a million ids in about 100 MB.
    seen: dict[bytes, int] = {}
    pending: list[tuple[int, tuple, bytes]] = []
    reported = 0  # rows already counted on the progress bar

    def flush() -> None:
        nonlocal reported
        stored = writer.stored([row[0] for _, row, _ in pending])
        fresh, fresh_ratings = [], []
        for line, row, ratings in pending:
            known = stored.get(row[0])
            if known is None:
                fresh.append(row)
                fresh_ratings.append(ratings)
            elif known == writer.content(row, ratings):
                result.unchanged += 1
            else:
                errors.add(line, "response_id", "conflicts with the stored response")
        if fresh and not errors:
            writer.write(fresh, fresh_ratings)
            result.created += len(fresh)
            for row, ratings in zip(fresh, fresh_ratings, strict=True):
                tallies.add(row[1], row[2], row[7], row[5], row[3], row[4], ratings)
        if progress:
            progress(result.read - reported)
            reported = result.read
        pending.clear()

    try:
        for line, values in source.lists():
            result.read += 1
            checked = checker.check(line, values)
            if checked is None:
                continue
            row, ratings = checked
            first = seen.setdefault(bytes.fromhex(row[0].replace("-", "")), line)
            if first != line:
                errors.add(line, "response_id", f"duplicate of line {first}")
                continue
            pending.append((line, row, ratings))
            if len(pending) >= chunk:
                flush()
        flush()
        errors.raise_if_any()
        tallies.write(session)
    finally:
        writer.close()
    return result
