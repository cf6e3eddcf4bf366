"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production).

SQLite is tuned on every connection: WAL so that readers never wait for the
writer, a busy timeout so that writers queue instead of failing, foreign keys on,
and ``BEGIN IMMEDIATE`` for write transactions so that two writers can never
deadlock on a lock upgrade. Read-only work (reports, dashboards) asks for a
deferred transaction with ``read_only_engine()`` so it never queues behind tablets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY = "avis_read_only"


def is_sqlite(url: str) -> bool:
    """Return True when ``url`` points at a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """Return an engine for ``url`` with Avis's connection settings applied."""
    if is_sqlite(url):
        path = make_url(url).database
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,  # a PostgreSQL restart must not leave dead connections in the pool
        pool_size=pool_size,
        max_overflow=10,
        pool_recycle=1800,
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


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
