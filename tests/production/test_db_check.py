"""``avis db check``: the schema is current and the app servers' connection pools fit in
PostgreSQL's ``max_connections`` (the session's cluster runs with 200, 3 reserved)."""

from __future__ import annotations

import runpy
import uuid

from kiosk import create_app
from kiosk.cli.db import default_workers
from surveys import migrate
from surveys.db import make_engine

from .harness import GUNICORN_CONF


def _runner(url: str, tmp_path, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "db-check-test",
            "AVIS_DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / f"instance-{uuid.uuid4().hex[:6]}"),
            **config,
        }
    )
    return app, app.test_cli_runner()


def test_db_check_warns_when_the_servers_pools_could_exceed_max_connections(pg_database, tmp_path):
    engine = make_engine(pg_database)
    migrate.upgrade(engine)
    engine.dispose()
    app, runner = _runner(pg_database, tmp_path)
    try:
        # Two servers of 5 sync workers: 2 × 5 × 15 + 5 = 155 of 197.
        english = {"LC_ALL": "en_GB.UTF-8"}
        fits = runner.invoke(args=["db", "check", "--servers", "2", "--workers", "5"], env=english)
        assert fits.exit_code == 0, fits.output
        assert "up to 155" in fits.output and "max_connections = 200" in fits.output
        assert fits.output.rstrip().endswith("ok")
        # Three servers: 3 × 5 × 15 + 5 = 230, more than the 197 PostgreSQL accepts.
        over = runner.invoke(args=["db", "check", "--servers", "3", "--workers", "5"], env=english)
        assert over.exit_code == 1
        assert "WARNING" in over.output and "set max_connections = 233 or more" in over.output
        # In French, the reference, by default (C: no language of its own).
        french = {"LC_ALL": "C"}
        over = runner.invoke(args=["db", "check", "--servers", "3", "--workers", "5"], env=french)
        assert "réglez max_connections = 233 ou plus" in over.output
    finally:
        app.extensions["avis_engine"].dispose()

    # Threaded workers hold a larger pool (2 per thread): 1 × 5 × (16 + 10) + 5 = 135.
    app, runner = _runner(pg_database, tmp_path, AVIS_THREADS=8)
    try:
        english = {"LC_ALL": "en_GB.UTF-8"}
        threaded = runner.invoke(args=["db", "check", "--workers", "5"], env=english)
        assert threaded.exit_code == 0 and "up to 135" in threaded.output, threaded.output
    finally:
        app.extensions["avis_engine"].dispose()


def test_db_check_says_when_the_schema_is_behind(tmp_path):
    app, runner = _runner(f"sqlite:///{tmp_path}/empty.db", tmp_path)
    done = runner.invoke(args=["db", "check"], env={"LC_ALL": "en_GB.UTF-8"})
    assert done.exit_code == 1 and "run avis db upgrade" in done.output
    assert "SQLite, no connection limit" in done.output
    app.extensions["avis_engine"].dispose()


def test_the_check_counts_the_workers_gunicorn_starts(monkeypatch):
    monkeypatch.delenv("AVIS_WORKERS", raising=False)
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == default_workers()
    monkeypatch.setenv("AVIS_WORKERS", "7")
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == default_workers() == 7
