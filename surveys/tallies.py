"""Keeping the monthly tallies (``surveys.models.tallies``) in step with the answers.

Which bucket an answer falls in is decided once, by :func:`local_buckets`, when its response
is written: the response carries its local day, month, weekday and hour. Then:

- ``insert_responses`` (a few responses: API, tablets, paper entry, demo) adds them with
  :func:`add_to_tallies`, in the same transaction as the answers;
- the CSV import and :func:`rebuild_tallies` (after a restore, a purge, the upgrade that
  created the tables) let the database group the stored rows: :func:`add_stored_to_tallies`,
  one ``INSERT … SELECT … GROUP BY`` per tally table on the responses' stored buckets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, select, text
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

    from .directory import Directory

from .models import Criterion, HourTally, MixTally, RatingTally, Response

RATING_KEY = ("month", "site_id", "service_id", "campaign_id", "criterion_id")
HOUR_KEY = ("month", "site_id", "service_id", "campaign_id", "weekday", "hour")
MIX_KEY = ("month", "site_id", "service_id", "campaign_id", "channel", "language")
COUNTS = ("r1", "r2", "r3", "r4", "r5")


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def plain_tuples(result) -> list[tuple]:
    """The rows of ``result`` as plain tuples, for a DataFrame: pandas probes each
    SQLAlchemy Row for attributes, which is much slower."""
    return list(map(tuple, result))


def local_buckets(submitted_at: datetime, timezone: str) -> tuple[date, date, int, int]:
    """Return (local day, first day of the local month, local weekday 0=Monday, local hour)
    of an answer given at ``submitted_at`` (naive means UTC) at a site in ``timezone``: the
    one definition of where an answer falls in every tally and report, stored on its
    response (``Response.local_day`` …)."""
    if submitted_at.tzinfo is None:
        submitted_at = submitted_at.replace(tzinfo=UTC)
    local = submitted_at.astimezone(_zone(timezone))
    day = local.date()
    return day, day.replace(day=1), local.weekday(), local.hour


def add_to_tallies(session: Session, rows: Iterable, ids: dict[str, int] | None = None) -> None:
    """Add the ratings of freshly inserted responses (``NewResponse`` objects) to the
    tallies; returns nothing. Runs in the caller's transaction."""
    rows = list(rows)
    if not rows:
        return
    from .directory import directory

    parts = tally_rows(directory(session), rows)
    if not any(part for *_, part in parts):
        return  # only flagged responses, which the tallies leave out
    connection = session.connection()
    if connection.dialect.name == "postgresql" and (
        sum(len(part) for *_, part in parts) <= ONE_STATEMENT_ROWS
    ):
        statements, params = upsert_statements(parts)
        *first, last = statements
        prefix = ", ".join(f"t{n} AS ({sql})" for n, sql in enumerate(first))
        connection.exec_driver_sql(f"WITH {prefix} {last}" if first else last, tuple(params))
        return
    for table, key, counts, part in parts:
        _upsert_rows(session, table, key, counts, part)


def tally_rows(reference: Directory, rows: list) -> list[tuple[Table, tuple, tuple, list[tuple]]]:
    """Return, for each tally table, ``(table, key columns, count columns, rows)``: the
    groups that ``rows`` (``NewResponse`` objects) add to, each row its key then its counts.
    Time zones and pooled criteria come from ``reference``, the per-process reference
    cache (``surveys.directory``): no query."""
    zones = reference.timezones
    pooled = reference.pooled
    # Counts as lists: [r1 … r5] per criterion; [responses, r1 … r5] per hour and per
    # channel and language (a rating n adds to index n of those).
    ratings: dict[tuple, list[int]] = {}
    hours: dict[tuple, list[int]] = {}
    mixes: dict[tuple, list[int]] = {}
    for r in rows:
        if getattr(r, "flag", None):
            continue  # kept but left out of the rates (``Response.flag``)
        _day, month, weekday, hour = local_buckets(r.submitted_at, zones[r.site_id])
        base = (month, r.site_id, r.service_id, r.campaign_id or 0)
        hour_counts = hours.setdefault((*base, weekday, hour), [0] * 6)
        mix_counts = mixes.setdefault((*base, r.channel, r.language), [0] * 6)
        hour_counts[0] += 1
        mix_counts[0] += 1
        for criterion_id, rating in r.ratings.items():
            ratings.setdefault((*base, criterion_id), [0] * 5)[rating - 1] += 1
            if criterion_id in pooled:
                hour_counts[rating] += 1
                mix_counts[rating] += 1
    parts = [
        (RatingTally.__table__, RATING_KEY, COUNTS, ratings),
        (HourTally.__table__, HOUR_KEY, ("responses", *COUNTS), hours),
        (MixTally.__table__, MIX_KEY, ("responses", *COUNTS), mixes),
    ]
    # In key order: two transactions adding to the same rows on PostgreSQL (two app
    # servers' imports, or an import beside the tablets) lock them in the same order and
    # never deadlock.
    return [
        (table, key, counts, [(*g, *c) for g, c in sorted(groups.items())])
        for table, key, counts, groups in parts
    ]


# PostgreSQL: up to this many tally rows (a few responses' worth) go in one statement.
ONE_STATEMENT_ROWS = 200


def upsert_statements(parts: list[tuple], *, only_if: str | None = None) -> tuple[list, list]:
    """PostgreSQL: the upserts of ``parts`` (see :func:`tally_rows`), one statement each,
    and their parameters in order — to join in one data-modifying ``WITH``: one round trip
    instead of three. ``only_if`` (an SQL condition) makes every upsert depend on it
    (``EXISTS (SELECT 1 FROM r)``: the response was inserted).

    A table with several rows takes them as one array per column (``unnest``), one row
    as plain values: either way the text does not depend on how many rows there are, so
    the driver parses it once per process instead of at every call (psycopg caches
    statements of at most 50 parameters, and a response's nine rating rows as ``VALUES``
    had 90), and the server keeps one prepared plan."""
    statements, params = [], []
    for table, key, counts, rows in parts:
        if not rows:
            continue
        rows.sort()  # a stable order: concurrent writers lock the rows in the same order
        single = len(rows) == 1  # plain values: dumping an array costs the driver more
        statements.append(_upsert_sql(table, tuple(key), tuple(counts), only_if, single))
        if single:
            params.extend(rows[0])
        else:
            params.extend(list(column) for column in zip(*rows, strict=True))
    return statements, params


@lru_cache(maxsize=64)
def _upsert_sql(table: Table, key: tuple, counts: tuple, only_if: str | None, single: bool) -> str:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    columns = [*key, *counts]
    types = [table.c[name].type.compile(dialect=dialect) for name in columns]
    if single:
        values = ", ".join(f"%s::{name}" for name in types)
        rows = f"SELECT * FROM (VALUES ({values})) AS v({', '.join(columns)})"  # noqa: S608
    else:
        arrays = ", ".join(f"%s::{name}[]" for name in types)
        rows = f"SELECT * FROM unnest({arrays}) AS v({', '.join(columns)})"  # noqa: S608
    if only_if:
        rows += f" WHERE {only_if}"
    # Names come from our own table definitions; every value goes as a parameter.
    insert = f"INSERT INTO {table.name} ({', '.join(columns)}) {rows} "  # noqa: S608
    return insert + _adding(table, key, counts)


@lru_cache(maxsize=16)
def upsert_sql(table: Table, key: tuple, counts: tuple, mark: str) -> str:
    """The driver-level upsert of one tally row into ``table`` (``mark``: the driver's
    parameter mark), adding its counts to the group's when the group exists."""
    columns = [*key, *counts]
    # Names come from our own table definitions, values go as parameters.
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join([mark] * len(columns))}) " + _adding(table, key, counts)
    )


def _adding(table: Table, key: tuple, counts: tuple) -> str:
    """The end of every tally upsert: a group already there gets the counts added."""
    return f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET " + ", ".join(
        f"{name} = {table.name}.{name} + excluded.{name}" for name in counts
    )


def _upsert_rows(
    session: Session, table: Table, key: tuple, counts: tuple, rows: list[tuple]
) -> None:
    """Add ``rows`` (key values then counts) to ``table``, creating the missing groups.

    ``rows`` is sorted in place."""
    if not rows:
        return
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    columns = [*key, *counts]
    # Plain SQL through the driver's executemany: the statement is the same for every row,
    # and SQLAlchemy's per-row parameter handling would cost more than the database work.
    sql = upsert_sql(table, key, counts, "?" if sqlite else "%s")
    # A stable order (the keys are unique, so the whole row orders as its key) keeps two
    # concurrent PostgreSQL writers from deadlocking on the rows.
    rows.sort()
    if not sqlite and len(rows) > COPY_FROM:
        _upsert_copy(connection, table, key, columns, sql, rows)
        return
    # Keys start with the month, a date: SQLite stores it as ISO text.
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = rows[start : start + UPSERT_BATCH]
        if sqlite:
            batch = [(row[0].isoformat(), *row[1:]) for row in batch]
        connection.exec_driver_sql(sql, batch)


# Rows per executemany of the tallies: bounds the memory of a large import's last step.
UPSERT_BATCH = 20_000
# On PostgreSQL, more rows than this go through COPY into a temporary table and one
# INSERT ... SELECT: an executed statement per row costs the server tens of microseconds.
COPY_FROM = 2_000


def _upsert_copy(connection, table: Table, key: tuple, columns: list, sql: str, rows) -> None:
    """PostgreSQL: add ``rows`` (sorted) to ``table`` through a temporary table."""
    names = ", ".join(columns)
    driver = connection.connection.dbapi_connection
    with driver.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE incoming_tally ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        with cursor.copy(f"COPY incoming_tally ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # The same statement as one row at a time, fed by a SELECT in the key order.
        head = sql[: sql.index(" VALUES ")]
        tail = sql[sql.index(" ON CONFLICT ") :]
        cursor.execute(
            f"{head} SELECT {names} FROM incoming_tally "  # noqa: S608
            f"ORDER BY {', '.join(key)}{tail}"
        )
        cursor.execute("DROP TABLE incoming_tally")


def add_stored_to_tallies(session: Session, where: str = "", params: dict | None = None) -> None:
    """Add stored responses to the tallies, in the caller's transaction: those matching
    ``where`` (SQL on the response, aliased ``r``, with named ``params``), all when empty.

    The database groups the rows on the buckets stored with each response (see
    :func:`local_buckets`), so the bulk import, the rebuild and the incremental writes count
    alike; flagged responses are left out, as everywhere."""
    condition = "r.flag IS NULL" + (f" AND ({where})" if where else "")
    for sql in _stored_upserts(session.get_bind().dialect, condition):
        session.execute(text(sql), params or {})


def _stored_upserts(dialect: Dialect, condition: str) -> list[str]:
    ratings = ", ".join(
        f"SUM(CASE WHEN a.rating = {value} THEN 1 ELSE 0 END)" for value in range(1, 6)
    )
    base = "r.local_month, r.site_id, r.service_id, COALESCE(r.campaign_id, 0)"
    # The hour and channel tallies count every response, and pool the ratings of the
    # criteria where higher is better: counted per response first, on the same responses.
    pooled_criteria = Criterion.pooled().compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    pooled = ", ".join(f"COALESCE(SUM(p.r{value}), 0)" for value in range(1, 6))
    # Our own names and numbers; values are parameters.
    per_response = (
        "SELECT a.response_id, "  # noqa: S608
        + ", ".join(
            f"SUM(CASE WHEN a.rating = {value} THEN 1 ELSE 0 END) AS r{value}"
            for value in range(1, 6)
        )
        + " FROM answer a JOIN response r ON r.id = a.response_id "
        f"JOIN criterion ON criterion.id = a.criterion_id AND {pooled_criteria} "
        f"WHERE {condition} GROUP BY a.response_id"
    )
    every_response = f"FROM response r LEFT JOIN ({per_response}) p ON p.response_id = r.id"

    def upsert(table: str, key: tuple, select: str) -> str:
        counts = (() if table == RatingTally.__tablename__ else ("responses",)) + COUNTS
        # SQLite needs a WHERE before ON CONFLICT to tell the upsert from a join: it has one.
        return (
            f"INSERT INTO {table} ({', '.join((*key, *counts))}) {select} "  # noqa: S608
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
            + ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in counts)
        )

    # Names and numbers come from our own constants; values go as parameters.
    return [
        upsert(
            RatingTally.__tablename__,
            RATING_KEY,
            f"SELECT {base}, a.criterion_id, {ratings} FROM response r "  # noqa: S608
            f"JOIN answer a ON a.response_id = r.id WHERE {condition} "
            f"GROUP BY {base}, a.criterion_id",
        ),
        upsert(
            HourTally.__tablename__,
            HOUR_KEY,
            f"SELECT {base}, r.local_weekday, r.local_hour, COUNT(*), {pooled} "  # noqa: S608
            f"{every_response} "
            f"WHERE {condition} GROUP BY {base}, r.local_weekday, r.local_hour",
        ),
        upsert(
            MixTally.__tablename__,
            MIX_KEY,
            f"SELECT {base}, r.channel, r.language, COUNT(*), {pooled} "  # noqa: S608
            f"{every_response} "
            f"WHERE {condition} GROUP BY {base}, r.channel, r.language",
        ),
    ]


def rebuild_tallies(session: Session, *, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every tally from the stored answers; return the number of responses
    counted (flagged ones aside). ``progress`` is called with that number at the end."""
    for model in (RatingTally, HourTally, MixTally):
        session.execute(delete(model))
    add_stored_to_tallies(session)
    done = session.scalar(select(func.count()).select_from(Response).where(Response.flag.is_(None)))
    if progress:
        progress(done)
    return done
