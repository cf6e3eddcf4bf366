"""Writing many responses at once (``avis import responses``): the driver's executemany on
SQLite, COPY on PostgreSQL, foreign keys checked once per site, service and criterion, and the
tallies kept in the same transaction as :func:`surveys.response_writes.insert_responses`
keeps them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .csvformat import ImportRefused
from .i18n import _l
from .models import (
    Site,
    utcnow,
)
from .response_writes import RESPONSE_COLUMNS
from .tallies import add_stored_to_tallies, local_buckets
from .write_transaction import sqlite_time

# Page cache of SQLite while importing, in KiB (the default is 2 MB).
SQLITE_CACHE_KIB = 256 * 1024


class BulkResponseWriter:
    """Stores many validated responses through the driver, for the CSV import.

    A row is ``(response_id, site_id, service_id, channel, language, submitted_at,
    questionnaire_id, campaign_id, comment)`` with ``submitted_at`` aware, and its ratings
    one byte 0..5 (0 = unanswered) per criterion of ``criterion_ids``. No ORM object is
    built: SQLite gets ``executemany`` with ids assigned here (the import transaction began
    with BEGIN IMMEDIATE, so no other writer can take one), PostgreSQL gets COPY with ids
    drawn from the sequence in one query, and the foreign keys are checked once per
    referenced row rather than per written row where the role may (see
    :meth:`_check_references_at_once`). Each row carries where it falls in its site's
    calendar (:func:`surveys.tallies.local_buckets`); :meth:`add_to_tallies` then has the
    database count what was written, in this transaction, before :meth:`close`.
    """

    COLUMNS = ("id", *RESPONSE_COLUMNS)

    def __init__(self, session: Session, criterion_ids: list[int]) -> None:
        session.flush()
        self.criterion_ids = list(criterion_ids)
        self._connection = session.connection()
        self.sqlite = self._connection.dialect.name == "sqlite"
        self._driver = self._connection.connection.dbapi_connection
        self._now = utcnow()
        self._zones = dict(self._connection.execute(select(Site.id, Site.timezone)).all())
        # The primary keys written, for the tallies: ranges on SQLite (ids assigned here,
        # no other writer), the keys themselves on PostgreSQL (others draw from the sequence).
        self._written: list = []
        if self.sqlite:
            self._next_id = (self._scalar("SELECT max(id) FROM response") or 0) + 1
            # Empty at the start and no other writer meanwhile: no id of the file is stored
            # already (the file's own repeats are the caller's to find).
            self.started_empty = self._scalar("SELECT 1 FROM response LIMIT 1") is None
            # A page cache large enough for the indexes being filled (random response_ids
            # touch every page of theirs); this connection's own, given back by close().
            self._cache_size = self._scalar("PRAGMA cache_size")
            self._connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        else:
            self.started_empty = False  # other writers may store responses meanwhile
            self._replication_role = None
            self._held: dict[str, set[int]] = {
                table: set() for table in ("criterion", *(table for table, _ in self.PARENTS))
            }
            self.checks_at_once = self._check_references_at_once()

    # The parent tables a response row refers to, with the row's position (see the class
    # docstring) of the reference; answers refer to their response and to a criterion.
    PARENTS = (("site", 1), ("service", 2), ("questionnaire", 6), ("campaign", 7))

    def _check_references_at_once(self) -> bool:
        """PostgreSQL: switch the foreign-key triggers off for this transaction, if the role
        may, and say whether it did.

        Those triggers check every written row: about 26 million checks, most of the
        server's work, for a million responses with their answers and tallies. Instead,
        :meth:`_hold` makes the same check once per referenced row: it locks each site,
        service, questionnaire, campaign and criterion ``FOR KEY SHARE``, as the triggers
        would, before the first row that refers to it is written, so none can be deleted
        until the import ends. The answers need no check of their response: they are
        written with the keys just drawn for it. The switch (``session_replication_role``)
        is allowed to a superuser, or on PostgreSQL 15 to a role granted ``SET ON PARAMETER
        session_replication_role`` (deploy/README.md); any other role keeps the triggers.
        :meth:`close` switches them back on before the transaction goes on.
        """
        if (self._connection.dialect.server_version_info or (0,)) >= (15,):
            allowed = self._scalar(
                "SELECT has_parameter_privilege('session_replication_role', 'SET')"
            )
        else:
            allowed = self._scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not allowed:
            return False
        self._replication_role = self._scalar("SELECT current_setting('session_replication_role')")
        self._connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        return True

    def _hold(self, table: str, ids) -> None:
        """Lock the rows ``ids`` of ``table`` FOR KEY SHARE (once each); refuse the file if
        one of them has been deleted since the import read it."""
        wanted = set(ids) - self._held[table] - {None}
        if not wanted:
            return
        found = {
            pk
            for (pk,) in self._connection.exec_driver_sql(
                f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",  # noqa: S608
                (sorted(wanted),),
            )
        }
        if missing := sorted(wanted - found):
            raise ImportRefused(
                [
                    _l(
                        "{table} {id} a été supprimé pendant l'import du fichier",
                        table=table,
                        id=pk,
                    )
                    for pk in missing
                ]
            )
        self._held[table] |= found

    def add_to_tallies(self, session: Session) -> None:
        """Add every response written so far to the tallies (once: it forgets them)."""
        if self.sqlite:
            for low, high in self._written:
                add_stored_to_tallies(
                    session, "r.id >= :low AND r.id < :high", {"low": low, "high": high}
                )
        else:
            for start in range(0, len(self._written), 100_000):
                part = self._written[start : start + 100_000]
                add_stored_to_tallies(session, "r.id = ANY(:ids)", {"ids": part})
        self._written = []

    def close(self) -> None:
        """Give the connection its own settings back (the transaction stays open)."""
        if self.sqlite and self._cache_size is not None:
            self._connection.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None
        if not self.sqlite and self._replication_role is not None:
            self._connection.exec_driver_sql(
                "SELECT set_config('session_replication_role', %s, true)",
                (self._replication_role,),
            )
            self._replication_role = None

    def _scalar(self, sql: str):
        row = self._connection.exec_driver_sql(sql).first()
        return row[0] if row else None

    def _rows_where_in(self, select_where: str, values: list):
        """Yield the rows of ``select_where`` (ending with a column) IN ``values``: in
        groups of 500 on SQLite (its limit on parameters), at once with ``ANY`` on
        PostgreSQL."""
        step = 500 if self.sqlite else max(len(values), 1)
        for start in range(0, len(values), step):
            part = values[start : start + step]
            if self.sqlite:
                where, params = f"IN ({', '.join('?' * len(part))})", tuple(part)
            else:
                where, params = "= ANY(%s)", (part,)
            yield from self._connection.exec_driver_sql(f"{select_where} {where}", params)

    def stored(self, response_ids: list[str]) -> dict[str, tuple]:
        """Return, for those of ``response_ids`` already stored, their :meth:`content`."""
        if self.started_empty or not response_ids:
            return {}
        found: dict[int, list] = {}
        answers: dict[int, list[tuple[int, int]]] = {}
        for row in self._rows_where_in(
            "SELECT id, response_id, site_id, service_id, channel, language, "
            "submitted_at, comment FROM response WHERE response_id",
            response_ids,
        ):
            found[row[0]] = list(row[1:])
        if not found:
            return {}
        for pk, criterion_id, rating in self._rows_where_in(
            "SELECT response_id, criterion_id, rating FROM answer WHERE response_id", list(found)
        ):
            answers.setdefault(pk, []).append((criterion_id, rating))
        return {
            response_id: (
                site_id,
                service_id,
                channel,
                language,
                _utc_second(submitted_at),
                comment,
                tuple(sorted(answers.get(pk, []))),
            )
            for pk, (
                response_id,
                site_id,
                service_id,
                channel,
                language,
                submitted_at,
                comment,
            ) in found.items()
        }

    def content(self, row: tuple, ratings: bytes) -> tuple:
        """Return what :meth:`stored` returns for ``row`` once stored (to compare them)."""
        return (
            row[1],
            row[2],
            row[3],
            row[4],
            _utc_second(row[5]),
            row[8],
            tuple(sorted((c, r) for c, r in zip(self.criterion_ids, ratings, strict=True) if r)),
        )

    def _response_rows(self, keys, rows: list[tuple]):
        """Yield the rows of table ``response`` (in :attr:`COLUMNS` order) for ``rows``,
        whose primary keys are ``keys``; times as the driver of this database takes them."""
        if self.sqlite:
            when, now, finished = sqlite_time, sqlite_time(self._now), 1
        else:
            when, now, finished = None, self._now, True
        zones = self._zones
        for pk, row in zip(keys, rows, strict=True):
            rid, site, service, channel, language, at, questionnaire, campaign, comment = row
            day, month, weekday, hour = local_buckets(at, zones[site])
            if when:
                at, day, month = when(at), day.isoformat(), month.isoformat()
            yield (
                pk, rid, site, service, channel, language, at, now,
                questionnaire, campaign, None, comment, finished, None,
                day, month, weekday, hour,
            )  # fmt: skip

    def write(self, rows: list[tuple], ratings: list[bytes]) -> None:
        """Insert ``rows`` and their answers (``ratings[i]`` belongs to ``rows[i]``)."""
        if not rows:
            return
        criteria = list(enumerate(self.criterion_ids))
        if self.sqlite:
            first = self._next_id
            self._next_id += len(rows)
            self._written.append((first, self._next_id))
            cursor = self._driver.cursor()
            try:
                cursor.executemany(
                    f"INSERT INTO response ({', '.join(self.COLUMNS)}) "  # noqa: S608
                    f"VALUES ({', '.join('?' * len(self.COLUMNS))})",
                    self._response_rows(range(first, first + len(rows)), rows),
                )
                cursor.executemany(
                    "INSERT INTO answer (response_id, criterion_id, rating) VALUES (?, ?, ?)",
                    (
                        (pk, criterion_id, values[column])
                        for pk, values in enumerate(ratings, first)
                        for column, criterion_id in criteria
                        if values[column]
                    ),
                )
            finally:
                cursor.close()
            return
        if self.checks_at_once:
            self._hold("criterion", self.criterion_ids)
            for table, position in self.PARENTS:
                self._hold(table, {row[position] for row in rows})
        with self._driver.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('response', 'id')) "
                "FROM generate_series(1, %s)",
                (len(rows),),
            )
            keys = [pk for (pk,) in cursor.fetchall()]
            self._written.extend(keys)
            with cursor.copy(f"COPY response ({', '.join(self.COLUMNS)}) FROM STDIN") as copy:
                for values in self._response_rows(keys, rows):
                    copy.write_row(values)
            with cursor.copy("COPY answer (response_id, criterion_id, rating) FROM STDIN") as copy:
                # Text lines built here: write_row per answer would cost more than the COPY.
                lines = []
                for pk, values in zip(keys, ratings, strict=True):
                    lines.extend(
                        f"{pk}\t{criterion_id}\t{values[column]}\n"
                        for column, criterion_id in criteria
                        if values[column]
                    )
                    if len(lines) >= 50_000:
                        copy.write("".join(lines))
                        lines.clear()
                if lines:
                    copy.write("".join(lines))


def _utc_second(value: datetime | str) -> str:
    """Return a stored or parsed time as ``YYYY-MM-DD HH:MM:SS`` in UTC (to compare)."""
    if isinstance(value, str):  # SQLite: naive UTC text
        return value[:19]
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "seconds")
