"""SQLite folds its write-ahead log into the database from a background thread of each app
process, so no request's commit waits for that copy and its fsync."""

from __future__ import annotations

import gc
import os
import threading
import time

from sqlalchemy import text

from surveys.db import FALLBACK_CHECKPOINT_PAGES, make_engine


def _checkpointers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "avis-sqlite-checkpoint"]


def _write_a_megabyte(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS blob (data BLOB)"))
        for _ in range(64):
            connection.execute(text("INSERT INTO blob VALUES (randomblob(16384))"))


def test_the_wal_is_folded_into_the_database_off_the_request_path(tmp_path):
    path = tmp_path / "avis.db"
    engine = make_engine(f"sqlite:///{path}", checkpoint_every=0.2)
    try:
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        # Commits fold the log themselves only past the safety net (a megabyte is below it).
        assert pages == FALLBACK_CHECKPOINT_PAGES > 1024 * 1024 // 4096
        _write_a_megabyte(engine)
        deadline = time.monotonic() + 10
        while os.path.getsize(path) < 1024 * 1024 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert os.path.getsize(path) >= 1024 * 1024  # the data reached the database file
    finally:
        engine.dispose()


def test_without_background_checkpoints_sqlite_keeps_its_own(tmp_path):
    path = tmp_path / "avis.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        _write_a_megabyte(engine)
        time.sleep(0.5)
        # Below SQLite's threshold of 1000 pages and with no thread: still in the log only.
        assert os.path.getsize(path) < 1024 * 1024
    finally:
        engine.dispose()


def test_the_thread_stops_when_its_engine_is_dropped(tmp_path):
    before = set(_checkpointers())
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", checkpoint_every=0.05)
    (mine,) = set(_checkpointers()) - before
    assert mine.is_alive()
    engine.dispose()
    del engine
    gc.collect()
    mine.join(timeout=5)
    assert not mine.is_alive()
