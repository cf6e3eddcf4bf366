"""Writing a few responses at a time: every writer of those (API, tablets, paper entry,
demo) stores them through :func:`insert_responses`, with their answers and the tallies in the
same transaction. Many at once (the CSV import) go through
:class:`surveys.response_bulk.BulkResponseWriter`, which keeps the tallies the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .directory import directory
from .models import (
    Answer,
    Response,
    utcnow,
)
from .tallies import local_buckets
from .write_transaction import WriteTransaction


@dataclass
class NewResponse:
    """A validated response ready to store; ``ratings`` maps criterion id -> 1..5."""

    response_id: str
    site_id: int
    service_id: int
    channel: str
    language: str
    submitted_at: datetime
    questionnaire_id: int
    ratings: dict[int, int] = field(default_factory=dict)
    comment: str | None = None
    campaign_id: int | None = None
    tablet_id: int | None = None
    finished: bool = True
    received_at: datetime | None = None
    flag: str | None = None  # kept but left out of the rates (see ``Response.flag``)


def insert_responses(
    session: Session, rows: list[NewResponse], *, tallies: bool = True, skip_stored: bool = False
) -> dict[str, int]:
    """Insert ``rows`` and their answers in bulk; return response_id -> primary key.

    The caller has validated the rows and checked that their ids are new; the unique
    constraint on ``response_id`` still refuses a duplicate that slips through a race.
    ``tallies=False`` is for bulk writers only: the caller then passes the same rows to
    :func:`surveys.tallies.add_to_tallies` itself, in the same transaction, in larger groups.
    ``skip_stored=True`` leaves a row whose ``response_id`` is already stored out instead
    (``ON CONFLICT DO NOTHING``): it is then missing from the returned ids, and the
    transaction stays usable without a savepoint.

    The CSV import uses :class:`~surveys.response_bulk.BulkResponseWriter` instead, which
    writes through the driver and lets the database count the tallies
    (:func:`surveys.tallies.add_stored_to_tallies`).
    """
    if not rows:
        return {}
    now = utcnow()
    if skip_stored and tallies and len(rows) == 1:
        stored = insert_one(WriteTransaction.in_session(session), rows[0], now)
        return {} if stored is None else {rows[0].response_id: stored}
    connection = session.connection()
    # Core statements on the session's connection: the ORM's bulk path costs more than the
    # database's work for the one-row inserts of the API. RETURNING gives the new ids
    # without reading them back (SQLite >= 3.35 and PostgreSQL).
    zones = directory(session).timezones
    stored = connection.execute(
        _insert_response(connection.dialect.name if skip_stored else None),
        [
            dict(zip(RESPONSE_COLUMNS, _response_values(r, now, zones[r.site_id]), strict=True))
            for r in rows
        ],
    )
    ids = dict(stored.all())
    if len(ids) < len(rows):
        rows = [r for r in rows if r.response_id in ids]
    answers = [
        {"response_id": ids[r.response_id], "criterion_id": criterion_id, "rating": rating}
        for r in rows
        for criterion_id, rating in r.ratings.items()
    ]
    if answers:
        # executemany of one cached statement (a multi-row VALUES is compiled at each call;
        # PostgreSQL's one-response path above needs neither).
        connection.execute(_INSERT_ANSWER, answers)
    # The monthly tallies that reports read are kept in the same transaction.
    from .tallies import add_to_tallies

    if tallies and rows:
        add_to_tallies(session, rows, ids)
    return ids


def insert_one(transaction: WriteTransaction, row: NewResponse, now: datetime) -> int | None:
    """Insert one response (the API's, the phone form's), its answers and its three tally
    upserts on the driver's cursor; return its primary key, or None when its
    ``response_id`` is already stored (then nothing else is written).

    PostgreSQL: as one statement (data-modifying ``WITH``), one round trip instead of five.
    """
    from .tallies import tally_rows, upsert_sql, upsert_statements

    reference = transaction.directory()
    values = _response_values(row, now, reference.timezones[row.site_id])
    parts = tally_rows(reference, [row])
    if not transaction.sqlite:
        statements, tally_params = upsert_statements(parts, only_if="EXISTS (SELECT 1 FROM r)")
        params: list = list(values)
        if row.ratings:
            params += [list(row.ratings), list(row.ratings.values())]
        sql = _one_response_sql(bool(row.ratings), tuple(statements))
        stored = transaction.execute(sql, (*params, *tally_params)).fetchone()
        return None if stored is None else stored[1]
    stored = transaction.execute(_SQLITE_INSERT_ONE, [transaction.value(v) for v in values])
    stored = stored.fetchone()
    if stored is None:
        return None
    if row.ratings:
        answers = [(stored[0], criterion, rating) for criterion, rating in row.ratings.items()]
        transaction.executemany(_SQLITE_INSERT_ANSWER, answers)
    for table, key, counts, part in parts:
        if part:  # keys start with the month, a date: SQLite stores it as ISO text
            rows = [(group[0].isoformat(), *group[1:]) for group in part]
            transaction.executemany(upsert_sql(table, key, counts, "?"), rows)
    return stored[0]


@lru_cache(maxsize=16)
def _one_response_sql(with_answers: bool, tally_statements: tuple[str, ...]) -> str:
    """The text of :func:`insert_one`'s PostgreSQL statement: the same for every response
    of one shape, so that the driver and the server parse it once."""
    # Names come from our own constants; every value goes as a parameter.
    columns = ", ".join(RESPONSE_COLUMNS)
    marks = ", ".join(["%s"] * len(RESPONSE_COLUMNS))
    parts = [
        f"r AS (INSERT INTO response ({columns}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT (response_id) DO NOTHING RETURNING id, response_id)"
    ]
    if with_answers:
        parts.append(
            "a AS (INSERT INTO answer (response_id, criterion_id, rating) "
            "SELECT r.id, v.criterion_id, v.rating FROM r, "
            "unnest(%s::integer[], %s::smallint[]) AS v(criterion_id, rating))"
        )
    parts.extend(f"t{n} AS ({sql})" for n, sql in enumerate(tally_statements))
    return f"WITH {', '.join(parts)} SELECT response_id, id FROM r"  # noqa: S608


# The columns of a response as the driver-level writers list them (all but ``id``).
RESPONSE_COLUMNS = (
    "response_id",
    "site_id",
    "service_id",
    "channel",
    "language",
    "submitted_at",
    "received_at",
    "questionnaire_id",
    "campaign_id",
    "tablet_id",
    "comment",
    "finished",
    "flag",
    "local_day",
    "local_month",
    "local_weekday",
    "local_hour",
)


def _response_values(row: NewResponse, now: datetime, timezone: str) -> tuple:
    """The values of ``row`` in the order of :data:`RESPONSE_COLUMNS`; ``timezone`` is its
    site's, for where it falls in the site's calendar."""
    return (
        row.response_id,
        row.site_id,
        row.service_id,
        row.channel,
        row.language,
        row.submitted_at,
        row.received_at or now,
        row.questionnaire_id,
        row.campaign_id,
        row.tablet_id,
        row.comment,
        row.finished,
        row.flag,
        *local_buckets(row.submitted_at, timezone),
    )


_RESPONSE = Response.__table__
_INSERT_ANSWER = insert(Answer.__table__)


@lru_cache(maxsize=4)
def _insert_response(skipping_stored_on: str | None):
    """The INSERT of responses, returning their ids; ON CONFLICT DO NOTHING on the named
    dialect. Built once: a statement object rebuilt per call is compiled per call."""
    statement = insert(_RESPONSE)
    if skipping_stored_on == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif skipping_stored_on:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    if skipping_stored_on:
        statement = dialect_insert(_RESPONSE).on_conflict_do_nothing(index_elements=["response_id"])
    return statement.returning(_RESPONSE.c.response_id, _RESPONSE.c.id)


# SQLite's one-response statements (``insert_one``); names from our own constants.
_SQLITE_INSERT_ONE = (
    f"INSERT INTO response ({', '.join(RESPONSE_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['?'] * len(RESPONSE_COLUMNS))}) "
    "ON CONFLICT (response_id) DO NOTHING RETURNING id"
)
_SQLITE_INSERT_ANSWER = "INSERT INTO answer (response_id, criterion_id, rating) VALUES (?, ?, ?)"
