"""The database as the Flask app sees it: one engine per app, one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from surveys.db import make_engine, make_sessionmaker, pool_size_for, read_only_engine


def init_app(app: Flask) -> None:
    # A request may hold two connections (its session and its read session): each thread
    # of a threaded worker (AVIS_THREADS, read by gunicorn too) must find them in the pool.
    threads = app.config.get("AVIS_THREADS", 1)
    engine = make_engine(
        app.config["AVIS_DATABASE_URL"],
        checkpoint_every=app.config.get("AVIS_SQLITE_CHECKPOINT_SECONDS", 0.1),
        pool_size=pool_size_for(threads),
    )
    reader = read_only_engine(engine)
    app.extensions["avis_engine"] = engine
    app.extensions["avis_read_engine"] = reader
    app.extensions["avis_sessionmaker"] = make_sessionmaker(engine)
    app.extensions["avis_read_sessionmaker"] = make_sessionmaker(reader)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["avis_engine"]


def read_engine() -> Engine:
    """The engine of what only reads (a deferred transaction: on SQLite it never queues
    behind the writers nor takes their lock)."""
    return current_app.extensions["avis_read_engine"]


def session_factory() -> sessionmaker[Session]:
    return current_app.extensions["avis_sessionmaker"]


def read_session_factory() -> sessionmaker[Session]:
    """Sessions that only read (see :func:`read_engine`)."""
    return current_app.extensions["avis_read_sessionmaker"]


def get_session() -> Session:
    """Return the request's session (writes open ``BEGIN IMMEDIATE`` on SQLite)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["avis_sessionmaker"]()
    return g.db_session


def get_read_session() -> Session:
    """Return a session for reports and lists: it never waits behind a writer."""
    if "db_read_session" not in g:
        g.db_read_session = current_app.extensions["avis_read_sessionmaker"]()
    return g.db_read_session


def _close_session(_exc: BaseException | None) -> None:
    for name in ("db_session", "db_read_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()
