"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production).

SQLite is tuned on every connection: WAL so that readers never wait for the
writer, a busy timeout so that writers queue instead of failing, foreign keys on,
and ``BEGIN IMMEDIATE`` for write transactions so that two writers can never
deadlock on a lock upgrade. Read-only work (reports, dashboards) asks for a
deferred transaction with ``read_only_engine()`` so it never queues behind tablets.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "avis_read_only"
# With background checkpoints, a commit folds the WAL into the database itself only past
# this many pages (~32 MB): the safety net should the background thread ever stall.
FALLBACK_CHECKPOINT_PAGES = 8192
# How long a SQLite connection waits for a lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 30
# PostgreSQL: connections a pool may open beyond its size, in bursts.
MAX_OVERFLOW = 10
# Connections the command line and the timers may hold besides the app servers (backup:
# pg_dump and the command; purge; mail; an administrator's command).
COMMAND_CONNECTIONS = 5

# The WAL file is cut back to this size once checkpointed.
WAL_SIZE_LIMIT = 64 * 1024 * 1024


def is_sqlite(url: str) -> bool:
    """Return True when ``url`` points at a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def pool_size_for(threads: int) -> int:
    """Return the pool size of an app process whose worker has ``threads`` threads: a
    request may hold two connections (its session and its read session)."""
    return max(5, 2 * threads)


def connections_needed(servers: int, workers: int, threads: int) -> int:
    """Return the most PostgreSQL connections ``servers`` app servers of ``workers`` workers
    may open together (each pool full, bursts included), plus the command line's."""
    return servers * workers * (pool_size_for(threads) + MAX_OVERFLOW) + COMMAND_CONNECTIONS


def make_engine(
    url: str, *, echo: bool = False, pool_size: int = 5, checkpoint_every: float = 0
) -> Engine:
    """Return an engine for ``url`` with Avis's connection settings applied.

    ``checkpoint_every`` (seconds, SQLite only): fold the WAL into the database from a
    background thread of this process at that interval, instead of in whichever request's
    commit crosses SQLite's threshold — that commit would otherwise wait for the copy and
    its fsync, and the p99 of a stored response with it.
    """
    if is_sqlite(url):
        path = make_url(url).database
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            connect_args={
                "timeout": BUSY_TIMEOUT_SECONDS,
                "check_same_thread": False,
                "factory": QueuedWriterConnection,
            },
        )
        on_disk = bool(path and path != ":memory:")
        background = bool(checkpoint_every and on_disk)
        _tune_sqlite(
            engine,
            background_checkpoints=background,
            writer_lock=f"{os.path.abspath(path)}-writers.lock" if on_disk else None,
        )
        if background:
            _Checkpointer(engine, checkpoint_every).start()
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,  # a PostgreSQL restart must not leave dead connections in the pool
        pool_size=pool_size,
        max_overflow=MAX_OVERFLOW,
        pool_recycle=1800,
    )


_writing = threading.local()


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue in the kernel.

    SQLite makes a writer that finds the database locked sleep and retry (1, 2, 5, 10, 15,
    20, 25... ms): under load a response would wait for those naps, not for the writer
    before it. Before ``BEGIN IMMEDIATE`` this connection takes an exclusive ``flock`` on
    a file beside the database, which the kernel hands over the moment the previous
    writer commits or rolls back, across the processes and threads of every app server
    and command on this machine. Writers that do not take it (the sqlite3 shell) still
    meet SQLite's own busy timeout. A thread that already writes through another
    connection does not queue again (it would wait for itself): it gets the busy timeout.
    """

    writer_lock: str | None = None
    _lock_fd: int | None = None
    _holding = False

    def queue_for_write(self) -> None:
        if self.writer_lock is None or getattr(_writing, "depth", 0):
            return
        if self._lock_fd is None:
            try:
                self._lock_fd = os.open(self.writer_lock, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only folder: SQLite's busy timeout alone
                self.writer_lock = None
                return
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._holding = True
        _writing.depth = 1

    def _leave_queue(self) -> None:
        if self._holding:
            self._holding = False
            _writing.depth = 0
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def _tune_sqlite(
    engine: Engine, *, background_checkpoints: bool = False, writer_lock: str | None = None
) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, QueuedWriterConnection):
            dbapi_connection.writer_lock = writer_lock
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        _enter_wal(dbapi_connection, cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free space where an erased
        # usager's address could be read back from the file (see surveys.privacy).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        if background_checkpoints:
            cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            driver = conn.connection.dbapi_connection
            if isinstance(driver, QueuedWriterConnection):
                driver.queue_for_write()
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                if isinstance(driver, QueuedWriterConnection):
                    driver._leave_queue()
                raise


def _enter_wal(dbapi_connection: sqlite3.Connection, cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode, once for good (the mode is kept in the file).

    Switching to WAL needs the database to itself, and SQLite answers "database is
    locked" at once, without its busy timeout, when another connection is using it: two
    servers starting together on a new database would fail. So a database already in WAL
    is left alone (a plain read), and the switch queues with the writers (see
    ``QueuedWriterConnection``), retried until the busy timeout for connections that do
    not queue (the sqlite3 shell).
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    queued = isinstance(dbapi_connection, QueuedWriterConnection)
    if queued:
        dbapi_connection.queue_for_write()
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
    finally:
        if queued:
            dbapi_connection._leave_queue()


class _Checkpointer(threading.Thread):
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``every`` seconds while its engine
    lives. A passive checkpoint never blocks readers or writers: it copies what it can."""

    def __init__(self, engine: Engine, every: float) -> None:
        super().__init__(name="avis-sqlite-checkpoint", daemon=True)
        self._engine = weakref.ref(engine)
        self._every = every
        self.checkpoints = 0

    def run(self) -> None:
        while True:
            time.sleep(self._every)
            engine = self._engine()
            if engine is None:
                return  # the app was dropped (tests): stop with it
            try:
                connection = engine.raw_connection()
                try:
                    connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    self.checkpoints += 1
                finally:
                    connection.close()
            except Exception as failure:  # noqa: BLE001 - retried at the next interval
                logging.getLogger(__name__).warning(
                    "background checkpoint failed: %s", type(failure).__name__
                )
            del engine


def truncate_wal(engine: Engine, attempts: int = 40) -> bool:
    """SQLite: fold the write-ahead log into the database and cut it to nothing, so that no
    earlier version of a page survives in it; return False when readers kept it from
    finishing (the next checkpoints will). Does nothing on other databases.

    A checkpoint already running (the background one, every tenth of a second) makes this
    one answer "busy" at once: it is tried again, a few milliseconds later, a few times."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        connection = engine.raw_connection()
        try:
            busy, _log, _done = connection.driver_connection.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
        finally:
            connection.close()
        if not busy:
            return True
        if attempt + 1 < attempts:
            time.sleep(0.025)
    return False


def read_only_engine(engine: Engine) -> Engine:
    """Return ``engine`` marked so that SQLite opens deferred (non-locking) transactions."""
    return engine.execution_options(**{READ_ONLY: True})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used by the app, the CLI and the tests."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
