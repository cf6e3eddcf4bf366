"""The check of one row of a responses file (``surveys.import_responses``): its cells are
read against look-ups made once for the whole file, so that the usual row costs a few
dictionary look-ups, and a bad row has every error of its cells recorded.

A row without ``response_id`` (a sheet typed by hand) gets a UUID derived from its content
and from how many identical rows come before it in the file: the same sheet imported twice
gives the same ids, and two identical paper forms in one sheet stay two responses.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import HOME_TIMEZONE
from .campaigns import CampaignResolver
from .csvformat import (
    RESPONSE_LEADING,
    CellError,
    DateReader,
    ErrorList,
    local_time,
    parse_rating,
)
from .fields import canonical_uuid
from .i18n import Message, _l
from .languages import USAGER_LANGUAGES
from .models import Criterion, QuestionnaireItem, Service, Site
from .models.responses import RESPONSE_CHANNELS
from .spreadsheet import unneutralise

MAX_COMMENT = 10_000
# Derived ids: uuid5 of a row's content in this namespace (a fixed, random UUID).
DERIVED_IDS = uuid.UUID("6f1d2c8e-3b7a-4e55-9c1f-2a8d0b4e7c61")


class RowLookups:
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
        """Return the ids of the criteria questionnaire ``questionnaire_id`` asks (read once)."""
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


class RowChecker:
    """Checks rows given as lists of cells; the usual row costs a few dictionary look-ups.

    Returns each good row as the tuple :class:`~surveys.response_bulk.BulkResponseWriter`
    stores, with its ratings as one byte per criterion column; records the errors of a
    bad row, in the order of its columns, and returns None.
    """

    def __init__(self, header: list[str], lookups: RowLookups, errors: ErrorList) -> None:
        self.lookups = lookups
        self.errors = errors
        self.dates = DateReader()
        position = {name: index for index, name in enumerate(header)}
        # Without a response_id column every row gets a derived id: read an empty cell.
        self.leading = [position.get(name, len(header)) for name in RESPONSE_LEADING]
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
        # Derived ids: how many rows of each content were seen so far.
        self._copies: dict[uuid.UUID, int] = {}

    def outside(self, questionnaire_id: int) -> list[int]:
        """Return the criterion columns (by rank) questionnaire ``questionnaire_id`` does not
        ask."""
        if questionnaire_id not in self._outside:
            allowed = self.lookups.questionnaire_criteria(questionnaire_id)
            self._outside[questionnaire_id] = [
                column
                for column, criterion_id in enumerate(self.criterion_ids)
                if criterion_id not in allowed
            ]
        return self._outside[questionnaire_id]

    def check(self, line: int, values: list[str]) -> tuple[tuple, bytes] | None:
        """Return the row to store and its ratings, or None after recording its errors."""
        if self.leading[0] == len(values):
            values = [*values, ""]  # no response_id column
        i_id, i_at, i_site, i_service, i_channel, i_language = self.leading
        response_id = values[i_id]
        if response_id and not _CANONICAL_UUID(response_id):
            response_id = self._uuid(line, response_id)
        place = self.places.get((values[i_site].strip(), values[i_service].strip()))
        ratings = [_RATING_CELLS.get(values[i]) for i in self.rating_positions]
        channel = values[i_channel].strip()
        language = values[i_language].strip() or "fr"
        comment = values[self.comment]
        comment = unneutralise(comment) if comment.strip() else None
        submitted_at = self._when(values[i_at], place)
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
        site_id, service_id, _timezone = place
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
        if not response_id:
            response_id = self._derived_id(
                values, channel, language, submitted_at, ratings, comment
            )
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

    def _when(self, cell: str, place: tuple | None) -> datetime | None:
        """Return the aware time of a ``submitted_at`` cell, or None when it cannot be read."""
        text = cell.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if place is None:
            return parsed
        try:
            if parsed is None:
                return self.dates.datetime(text, place[2])
            if parsed.tzinfo is None:
                return local_time(parsed, place[2], text)
        except CellError:
            return None
        return parsed

    def _derived_id(
        self,
        values: list[str],
        channel: str,
        language: str,
        submitted_at: datetime,
        ratings: list[int],
        comment: str | None,
    ) -> str:
        """Return the id of a row without one: its content, and its rank among the rows of
        the same content before it in the file (the second identical paper form is 2)."""
        i_site, i_service = self.leading[2], self.leading[3]
        given = sorted(
            f"{code}={rating}"
            for (_index, code), rating in zip(self.columns, ratings, strict=True)
            if rating
        )
        content = "\x1f".join(
            [
                values[i_site].strip(),
                values[i_service].strip(),
                channel,
                language,
                submitted_at.isoformat(),
                ",".join(given),
                (comment or "").strip(),
            ]
        )
        key = uuid.uuid5(DERIVED_IDS, content)
        rank = self._copies.get(key, 0) + 1
        self._copies[key] = rank
        return str(uuid.uuid5(DERIVED_IDS, f"{key}\x1f{rank}"))

    def _uuid(self, line: int, value: str) -> str | None:
        if not value.strip():
            return ""
        return canonical_uuid(value)

    def _report(self, line: int, values: list[str]) -> None:
        """Record every error of a row that failed a quick check (a row may pass)."""
        errors = self.errors
        before = errors.count
        self._report_leading(line, values)
        rated = False
        for index, column in self.columns:
            try:
                rated = parse_rating(values[index]) is not None or rated
            except CellError as error:
                errors.add(line, column, error.reason)
        cell = values[self.comment]
        comment = unneutralise(cell) if cell.strip() else None
        if comment and len(comment) > MAX_COMMENT:
            errors.add(line, "comment", _l("plus de {limit} caractères", limit=MAX_COMMENT))
        if not rated and not comment and errors.count == before:
            errors.add(line, None, _l("ni note ni commentaire"))
        if errors.count != before:
            return None
        # Only a rating written another way (" 5", "05") failed the quick check: write it
        # the usual way and check the row again.
        values = list(values)
        for index in self.rating_positions:
            rating = parse_rating(values[index])
            values[index] = str(rating) if rating else ""
        return self.check(line, values)

    def _report_leading(self, line: int, values: list[str]) -> None:
        """Record the errors of a row's leading cells (``RESPONSE_LEADING``: its id, place,
        time, channel and language)."""
        errors, lookups = self.errors, self.lookups
        row = dict(zip(RESPONSE_LEADING, (values[i] for i in self.leading), strict=True))
        if self._uuid(line, row["response_id"]) is None:
            errors.add(
                line, "response_id", _l("« {value} » n'est pas un UUID", value=row["response_id"])
            )
        site_code = row["site"].strip()
        site = lookups.sites.get(site_code)
        if site is None:
            errors.add(line, "site", _l("site inconnu « {value} »", value=site_code))
        service_code = row["service"].strip()
        if site is not None and (site_code, service_code) not in lookups.services:
            errors.add(
                line,
                "service",
                _l(
                    "service inconnu « {value} » au site {site}", value=service_code, site=site_code
                ),
            )
        try:
            self.dates.datetime(row["submitted_at"], site[1] if site else HOME_TIMEZONE)
        except CellError as error:
            errors.add(line, "submitted_at", error.reason)
        channel = row["channel"].strip()
        if channel not in _CHANNELS:
            errors.add(
                line,
                "channel",
                _l(
                    "canal inconnu « {value} » ({known})",
                    value=channel,
                    known=", ".join(RESPONSE_CHANNELS),
                ),
            )
        language = row["language"].strip() or "fr"
        if language not in _LANGUAGES:
            errors.add(line, "language", _l("langue inconnue « {value} »", value=language))


def outside_questionnaire_message(criterion_code: str) -> Message:
    """The refusal of a rating whose criterion the questionnaire of its date does not ask,
    with the commands that make one that does."""
    return _l(
        "ce critère n'est pas dans le questionnaire de cette date : créez un questionnaire "
        "qui contient {criterion} et une campagne pour ces dates : avis questionnaires add "
        "CODE --name NOM --criteria overall,...,{criterion}, puis avis campaigns add "
        "CAMPAGNE --name NOM --questionnaire CODE --from DATE --to DATE",
        criterion=criterion_code,
    )
