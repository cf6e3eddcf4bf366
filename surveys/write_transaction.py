"""A write transaction on the database driver's own connection, for the few statements that
store one usager's response (``surveys.responses.store_submission``).

Storing a response takes five to eight short statements. Run through SQLAlchemy's session
and connection, their bookkeeping (transaction states, events, statement contexts) cost
more than SQLite's own work (``bench/RESULTS.md``). A :class:`WriteTransaction` runs them
on the driver's cursor instead, with the same rules on both databases:

- :meth:`WriteTransaction.on_engine` takes a connection from the engine's pool (the
  pool's checks on checkout still run: PostgreSQL's ping), opens the transaction as every
  writer does (SQLite: in the writers' queue, ``BEGIN IMMEDIATE``), commits it — also when
  the submission is refused, so that its refusal is counted — and gives the connection
  back;
- :meth:`WriteTransaction.in_session` runs in a session's transaction instead, for callers
  that write more in it (the phone form, tests); the session commits.

Errors of the driver are raised as SQLAlchemy raises them (``sqlalchemy.exc.DBAPIError``
and its subclasses), so that the app's handlers (a read-only disk, a database restarting:
503) see the same error on every path, without the statement's values, which may hold a
usager's comment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from . import DomainError
from .db import QueuedWriterConnection
from .directory import Directory, directory, directory_at

_STAMP = "SELECT stamp FROM reference_stamp WHERE id = 1"


class WriteTransaction:
    """The statements of one write transaction, on the driver's cursor.

    Statements are written with SQLite's ``?`` marks; on PostgreSQL they become ``%s``.
    Values go through :meth:`value` where the two databases store them differently.
    """

    def __init__(
        self,
        driver_connection,
        dialect,
        load_directory: Callable[[WriteTransaction], Directory],
    ) -> None:
        self.sqlite = dialect.name == "sqlite"
        self.dialect = dialect
        self._error = dialect.loaded_dbapi.Error
        self._connection = driver_connection
        self._cursor = driver_connection.cursor()
        self._load_directory = load_directory
        self._directory: Directory | None = None

    @classmethod
    def in_session(cls, session: Session) -> WriteTransaction:
        """The transaction of ``session`` (flushed first): the session commits it."""
        session.flush()
        connection = session.connection()
        return cls(
            connection.connection.dbapi_connection,
            connection.dialect,
            lambda _transaction: directory(session),
        )

    @classmethod
    @contextmanager
    def on_engine(cls, engine: Engine, read_sessions: sessionmaker) -> Iterator[WriteTransaction]:
        """A transaction of its own on a connection of ``engine``'s pool, committed when
        the block ends or raises a DomainError, rolled back on any other error.

        ``read_sessions``: sessions that never take the writers' lock, to reload the
        directory when its stamp has changed (:func:`surveys.directory.directory_at`)."""
        driver_error = engine.dialect.loaded_dbapi.Error
        try:
            pooled = engine.raw_connection()
        except driver_error as error:  # the server is down: as SQLAlchemy would raise it
            raise DBAPIError.instance(
                None, None, error, driver_error, hide_parameters=True, dialect=engine.dialect
            ) from error
        driver = pooled.driver_connection
        done = False
        transaction = None
        try:
            transaction = cls(
                driver, engine.dialect, lambda t: _current_directory(t, engine, read_sessions)
            )
            if transaction.sqlite:
                if isinstance(driver, QueuedWriterConnection):
                    driver.queue_for_write()
                transaction.execute("BEGIN IMMEDIATE")
            try:
                yield transaction
            except DomainError:
                transaction.commit()
                done = True
                raise
            transaction.commit()
            done = True
        except BaseException as failure:
            if not done:
                _roll_back(driver)
                orig = failure.orig if isinstance(failure, DBAPIError) else None
                if orig is not None and engine.dialect.is_disconnect(orig, driver, None):
                    pooled.invalidate()  # a restarted server: the pool opens a new one
            raise
        finally:
            if transaction is not None:
                transaction._cursor.close()
            pooled.close()

    def directory(self) -> Directory:
        """The reference rows as this transaction can see them (read once per transaction)."""
        if self._directory is None:
            self._directory = self._load_directory(self)
        return self._directory

    def value(self, value):
        """``value`` as the database stores it: on SQLite, as SQLAlchemy does (times in
        naive UTC text, days in ISO text, booleans as 0 or 1)."""
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            return sqlite_time(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def time(self, stored) -> datetime:
        """A stored time read back, aware, in UTC."""
        if isinstance(stored, str):
            stored = datetime.fromisoformat(stored)
        return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)

    def execute(self, sql: str, params=()):
        """Run one statement; return the cursor (its rows are read before the next one)."""
        statement = sql if self.sqlite else _marks(sql)
        try:
            self._cursor.execute(statement, params)
        except self._error as error:
            raise self._raised(statement, error) from error
        return self._cursor

    def executemany(self, sql: str, rows: list) -> None:
        statement = sql if self.sqlite else _marks(sql)
        try:
            self._cursor.executemany(statement, rows)
        except self._error as error:
            raise self._raised(statement, error) from error

    def commit(self) -> None:
        try:
            self._connection.commit()
        except self._error as error:
            raise self._raised("COMMIT", error) from error

    def _raised(self, statement: str, error: Exception) -> DBAPIError:
        return DBAPIError.instance(
            statement, None, error, self._error, hide_parameters=True, dialect=self.dialect
        )


def _current_directory(
    transaction: WriteTransaction, engine: Engine, read_sessions: sessionmaker
) -> Directory:
    stamp = transaction.execute(_STAMP).fetchone()
    return directory_at(engine, None if stamp is None else stamp[0], read_sessions)


def _roll_back(driver) -> None:
    """Roll back what failed; a connection already lost has nothing left to roll back."""
    try:
        driver.rollback()
    except Exception:  # noqa: BLE001, S110 - the first error is the one raised
        pass


@lru_cache(maxsize=64)
def _marks(sql: str) -> str:
    """A statement written with ``?`` marks, with PostgreSQL's driver's ``%s`` instead."""
    return sql.replace("?", "%s")


def sqlite_time(value: datetime) -> str:
    """Return an aware time as SQLAlchemy stores it in SQLite (naive UTC, microseconds)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
