"""Keeping the monthly tallies (``surveys.models.tallies``) in step with the answers.

``insert_responses`` calls :func:`add_to_tallies` in the same transaction as the answers it
writes, so a report never sees one without the other; the CSV import counts a whole file
with :class:`TallyAccumulator` and writes it once, in the import's transaction.
:func:`rebuild_tallies` recomputes every tally from the answers: after a bulk load that
bypassed both, a restore, a purge of responses, or the upgrade that created the tables.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import pandas as pd

from .calendar import HOME_TIMEZONE
from .models import Answer, Criterion, HourTally, MixTally, RatingTally, Response, Site

RATING_KEY = ("month", "site_id", "service_id", "campaign_id", "criterion_id")
HOUR_KEY = ("month", "site_id", "service_id", "campaign_id", "weekday", "hour")
MIX_KEY = ("month", "site_id", "service_id", "campaign_id", "channel", "language")
COUNTS = ("r1", "r2", "r3", "r4", "r5")


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def plain_tuples(result) -> list[tuple]:
    """The rows of ``result`` as plain tuples, for a DataFrame: pandas probes each
    SQLAlchemy Row for attributes, which is ten times slower."""
    return list(map(tuple, result))


def local_bucket(submitted_at: datetime, timezone: str) -> tuple[date, int, int]:
    """Return (first day of the local month, local weekday 0=Monday, local hour) of a time."""
    local = submitted_at.astimezone(_zone(timezone))
    return local.date().replace(day=1), local.weekday(), local.hour


def pooled_criterion_ids(session: Session) -> set[int]:
    """Return the ids of criteria pooled in the hour and channel tallies (higher is better)."""
    return set(session.scalars(select(Criterion.id).where(Criterion.lower_is_better.is_(False))))


def add_to_tallies(session: Session, rows: Iterable, ids: dict[str, int] | None = None) -> None:
    """Add the ratings of freshly inserted responses (``NewResponse`` objects) to the
    tallies; returns nothing. Runs in the caller's transaction."""
    rows = list(rows)
    if not rows:
        return
    parts = tally_rows(session, rows)
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


def tally_rows(session: Session, rows: list) -> list[tuple[Table, tuple, tuple, list[tuple]]]:
    """Return, for each tally table, ``(table, key columns, count columns, rows)``: the
    groups that ``rows`` (``NewResponse`` objects) add to, each row its key then its counts."""
    # Time zones and pooled criteria from the per-process reference cache (no query).
    from .directory import directory

    reference = directory(session)
    zones = reference.timezones
    pooled = reference.pooled
    ratings: dict[tuple, Counter] = defaultdict(Counter)
    hours: dict[tuple, Counter] = defaultdict(Counter)
    mixes: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        if getattr(r, "flag", None):
            continue  # kept but left out of the rates (``Response.flag``)
        month, weekday, hour = local_bucket(r.submitted_at, zones.get(r.site_id) or HOME_TIMEZONE)
        base = (month, r.site_id, r.service_id, r.campaign_id or 0)
        hour_counts = hours[(*base, weekday, hour)]
        mix_counts = mixes[(*base, r.channel, r.language)]
        hour_counts["responses"] += 1
        mix_counts["responses"] += 1
        for criterion_id, rating in r.ratings.items():
            ratings[(*base, criterion_id)][f"r{rating}"] += 1
            if criterion_id in pooled:
                hour_counts[f"r{rating}"] += 1
                mix_counts[f"r{rating}"] += 1
    parts = [
        (RatingTally.__table__, RATING_KEY, COUNTS, ratings),
        (HourTally.__table__, HOUR_KEY, ("responses", *COUNTS), hours),
        (MixTally.__table__, MIX_KEY, ("responses", *COUNTS), mixes),
    ]
    # In key order: two transactions adding to the same rows on PostgreSQL lock them in
    # the same order, so that two app servers' group commits never deadlock.
    return [
        (
            table,
            key,
            counts,
            [(*g, *(c.get(n, 0) for n in counts)) for g, c in sorted(groups.items())],
        )
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
    statements of at most 50 parameters: a response's nine rating rows as ``VALUES`` had
    90, and building and converting its statement cost 0.85 ms, now 0.37 ms), and the
    server keeps one prepared plan."""
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
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) {rows} "  # noqa: S608
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in counts)
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
    mark = "?" if sqlite else "%s"
    # Plain SQL through the driver's executemany: the statement is the same for every row,
    # and SQLAlchemy's per-row parameter handling would cost more than the database work.
    # Names come from our own table definitions, values go as parameters.
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join([mark] * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in counts)
    )
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


class TallyAccumulator:
    """Tallies of many new responses counted in memory and written once (bulk imports).

    The import calls :meth:`add` for every response it stores, with the ratings as one
    byte per criterion column (0 = unanswered), then :meth:`write` in the same transaction.
    A response costs one dictionary look-up and three small integers kept in arrays; the
    counting per answer, hour and channel is done by numpy at the end, so a million
    responses with nine answers each take seconds. The rows written are those
    :func:`add_to_tallies` would write for the same responses.
    """

    def __init__(self, session: Session, criterion_ids: list[int]) -> None:
        self.criterion_ids = list(criterion_ids)
        pooled = pooled_criterion_ids(session)
        self._pooled = [i for i, c in enumerate(self.criterion_ids) if c in pooled]
        self._zones = {
            site_id: _zone(name or HOME_TIMEZONE)
            for site_id, name in session.execute(select(Site.id, Site.timezone))
        }
        # (month, site, service, campaign) -> index; (channel, language) -> index.
        self._bases: dict[tuple, int] = {}
        self._mixes: dict[tuple[str, str], int] = {}
        self._base_of = array("i")
        self._hour_of = array("B")  # weekday * 24 + hour
        self._mix_of = array("H")
        self._ratings = bytearray()

    def __len__(self) -> int:
        return len(self._base_of)

    def add(
        self,
        site_id: int,
        service_id: int,
        campaign_id: int | None,
        submitted_at: datetime,
        channel: str,
        language: str,
        ratings: bytes,
    ) -> None:
        """Count one response; ``ratings`` holds one byte 0..5 per criterion column."""
        local = submitted_at.astimezone(self._zones.get(site_id) or _zone(HOME_TIMEZONE))
        base = (local.year, local.month, site_id, service_id, campaign_id or 0)
        bases = self._bases
        self._base_of.append(bases.setdefault(base, len(bases)))
        self._hour_of.append(local.weekday() * 24 + local.hour)
        mixes = self._mixes
        self._mix_of.append(mixes.setdefault((channel, language), len(mixes)))
        self._ratings += ratings

    def write(self, session: Session) -> None:
        """Add everything counted to the tallies, in the caller's transaction."""
        import numpy as np

        count = len(self._base_of)
        if not count:
            return
        width = len(self.criterion_ids)
        keys = [(date(year, month, 1), *rest) for year, month, *rest in self._bases]
        ratings = np.frombuffer(self._ratings, dtype=np.uint8).reshape(count, width)
        bases = np.frombuffer(self._base_of, dtype=np.int32).astype(np.int64)
        # One bin per (base group, criterion column, rating 0..5); 0 is "unanswered".
        per_base = np.zeros((len(keys), width, 6), dtype=np.int64)
        for column in range(width):
            per_base[:, column, :] = np.bincount(
                bases * 6 + ratings[:, column], minlength=len(keys) * 6
            ).reshape(len(keys), 6)
        per_base = per_base[:, :, 1:]
        rating_rows = [
            (*keys[b], self.criterion_ids[column], *per_base[b, column].tolist())
            for b, column in zip(*np.nonzero(per_base.sum(axis=2)), strict=True)
        ]
        del per_base
        _upsert_rows(session, RatingTally.__table__, RATING_KEY, COUNTS, rating_rows)
        del rating_rows
        # Hours and channels pool the criteria where higher is better.
        pooled = ratings[:, self._pooled]
        per_value = np.stack([(pooled == value).sum(axis=1) for value in range(1, 6)], axis=1)
        del pooled
        mixes = list(self._mixes)
        for table, key, codes, spread, label in (
            (HourTally.__table__, HOUR_KEY, self._hour_of, 7 * 24, divmod),
            (MixTally.__table__, MIX_KEY, self._mix_of, len(mixes), mixes.__getitem__),
        ):
            group = bases * spread + np.frombuffer(codes, dtype=codes.typecode)
            found, index = np.unique(group, return_inverse=True)
            responses = np.bincount(index, minlength=len(found))
            values = np.stack(
                [
                    np.bincount(index, weights=per_value[:, value], minlength=len(found))
                    for value in range(5)
                ],
                axis=1,
            ).astype(np.int64)
            del group, index
            rows = []
            for code, total, counts in zip(
                found.tolist(), responses.tolist(), values.tolist(), strict=True
            ):
                b, rest = divmod(code, spread)
                detail = divmod(rest, 24) if label is divmod else label(rest)
                rows.append((*keys[b], *detail, total, *counts))
            _upsert_rows(session, table, key, ("responses", *COUNTS), rows)


def rebuild_tallies(
    session: Session, *, chunk: int = 200_000, progress: Callable[[int], None] | None = None
) -> int:
    """Recompute every tally from the stored answers; return the number of responses read.

    Reads the responses in chunks of ``chunk`` ids so memory stays bounded; ``progress`` is
    called with the number of responses read so far."""
    import pandas as pd  # only here: writers of single responses need not load it

    for model in (RatingTally, HourTally, MixTally):
        session.execute(delete(model))
    zones = dict(session.execute(select(Site.id, Site.timezone)).all())
    pooled = pooled_criterion_ids(session)
    bounds = session.execute(select(Response.id).order_by(Response.id.desc()).limit(1)).scalar()
    if bounds is None:
        return 0
    ratings, hours, mixes = [], [], []
    done = 0
    start = 0
    while start <= bounds:
        stop = start + chunk
        responses = pd.DataFrame(
            plain_tuples(
                session.execute(
                    select(
                        Response.id,
                        Response.site_id,
                        Response.service_id,
                        Response.campaign_id,
                        Response.channel,
                        Response.language,
                        Response.submitted_at,
                    ).where(Response.id >= start, Response.id < stop, Response.flag.is_(None))
                )
            ),
            columns=[
                "id",
                "site_id",
                "service_id",
                "campaign_id",
                "channel",
                "language",
                "submitted_at",
            ],
        )
        start = stop
        if responses.empty:
            continue
        answers = pd.DataFrame(
            plain_tuples(
                session.execute(
                    select(Answer.response_id, Answer.criterion_id, Answer.rating)
                    .join(Response, Response.id == Answer.response_id)
                    .where(Response.id >= stop - chunk, Response.id < stop, Response.flag.is_(None))
                )
            ),
            columns=["id", "criterion_id", "rating"],
        )
        frame = _local_buckets(responses, zones)
        keyed = answers.merge(frame, on="id")
        ratings.append(_count(keyed, list(RATING_KEY)))
        pooled_answers = keyed[keyed["criterion_id"].isin(pooled)]
        for key, out in ((HOUR_KEY, hours), (MIX_KEY, mixes)):
            counts = _count(pooled_answers, list(key))
            volume = frame.groupby(list(key)).size().rename("responses").reset_index()
            out.append(volume.merge(counts, on=list(key), how="left"))
        done += len(responses)
        if progress:
            progress(done)
    _bulk(session, RatingTally.__table__, ratings, RATING_KEY, COUNTS)
    _bulk(session, HourTally.__table__, hours, HOUR_KEY, ("responses", *COUNTS))
    _bulk(session, MixTally.__table__, mixes, MIX_KEY, ("responses", *COUNTS))
    return done


def _local_buckets(responses: pd.DataFrame, zones: dict[int, str]) -> pd.DataFrame:
    import pandas as pd

    frame = responses.copy()
    frame["campaign_id"] = frame["campaign_id"].fillna(0).astype(int)
    stamps = pd.to_datetime(frame["submitted_at"], utc=True)
    frame["month"] = None
    frame["weekday"] = 0
    frame["hour"] = 0
    site_zone = frame["site_id"].map(lambda site_id: zones.get(site_id) or HOME_TIMEZONE)
    for zone in site_zone.unique():
        mask = site_zone == zone
        local = stamps[mask].dt.tz_convert(zone)
        frame.loc[mask, "month"] = [d.replace(day=1) for d in local.dt.date]
        frame.loc[mask, "weekday"] = local.dt.day_of_week.to_numpy()
        frame.loc[mask, "hour"] = local.dt.hour.to_numpy()
    return frame.drop(columns=["submitted_at"])


def _count(answers: pd.DataFrame, key: list[str]) -> pd.DataFrame:

    table = answers.groupby([*key, "rating"]).size().unstack("rating", fill_value=0)
    table = table.reindex(columns=range(1, 6), fill_value=0)
    table.columns = list(COUNTS)
    return table.reset_index()


def _bulk(
    session: Session, table: Table, parts: list[pd.DataFrame], key: tuple, counts: tuple
) -> None:
    import pandas as pd

    if not parts:
        return
    frame = pd.concat(parts).fillna(0).groupby(list(key), as_index=False)[list(counts)].sum()
    records = [
        {
            **{name: row[name] for name in key},
            **{name: int(row[name]) for name in counts},
        }
        for row in frame.to_dict("records")
    ]
    for name in ("site_id", "service_id", "campaign_id", "criterion_id", "weekday", "hour"):
        if name in key:
            for record in records:
                record[name] = int(record[name])
    for offset in range(0, len(records), 50_000):
        session.execute(insert(table), records[offset : offset + 50_000])
