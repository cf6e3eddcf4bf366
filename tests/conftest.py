"""Fixtures shared by every test: a fresh, migrated database per test on SQLite or, when
``AVIS_TEST_PG_URL`` is set (``make test`` does it), on a real PostgreSQL cluster."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from surveys import migrate
from surveys.db import make_engine

PG_ADMIN_URL = os.environ.get("AVIS_TEST_PG_URL")

# One definition of the browser fixtures for every folder.
pytest_plugins = ["tests.browser_support"]


CLOCK_HOOK = Path(__file__).parent / "clock"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-days",
        type=int,
        default=0,
        help="run the whole session with the clock this many days ahead (make test-future)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**values): extra configuration for `app`")
    days = config.getoption("--clock-days")
    if days:
        _move_clock(days)


def _move_clock(days: int) -> None:
    """Move this process's clock ``days`` ahead, ticking, and have every Python process the
    tests start (through ``PYTHONPATH`` and ``tests/clock/sitecustomize.py``) do the same."""
    import time

    import time_machine

    offset = days * 86400
    os.environ["PYTEST_CLOCK_OFFSET"] = str(offset)
    paths = [str(CLOCK_HOOK), *filter(None, [os.environ.get("PYTHONPATH")])]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    time_machine.travel(time.time() + offset, tick=True).start()


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"avis database: {'postgresql' if PG_ADMIN_URL else 'sqlite'}"]
    if config.getoption("--clock-days"):
        from datetime import date

        lines.append(f"avis clock: {config.getoption('--clock-days')} days ahead, {date.today()}")
    return lines


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_only" in item.keywords and not PG_ADMIN_URL:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (AVIS_TEST_PG_URL)"))


def _admin_engine():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory):
    """A database migrated once per session, copied for each test."""
    if PG_ADMIN_URL:
        name = f"avis_tmpl_{os.getpid()}"
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield ("postgresql", name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        engine.dispose()  # the last connection to close folds the WAL into the file
        yield ("sqlite", path)


@pytest.fixture
def database_url(database_template, tmp_path: Path):
    """The URL of a fresh database holding the reference data and nothing else."""
    kind, source = database_template
    if kind == "sqlite":
        target = tmp_path / "avis.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    with pg_database(template=source) as url:
        yield url


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """Yield the URL of a new PostgreSQL database (a copy of ``template``, or empty), dropped
    afterwards."""
    name = f"avis_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def translations_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("translations")


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict:
    """Extra configuration, from ``@pytest.mark.app_config(KEY=value)`` on the test."""
    values: dict = {}
    for marker in reversed(list(request.node.iter_markers("app_config"))):
        values.update(marker.kwargs)
    return values


@pytest.fixture
def app(database_url: str, tmp_path: Path, translations_cache: Path, app_config: dict):
    from kiosk import create_app
    from kiosk.extensions import limiter

    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "AVIS_DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "AVIS_TRANSLATIONS_CACHE": str(translations_cache),
        "WTF_CSRF_ENABLED": False,
        "AVIS_BASE_URL": "http://localhost",
    }
    config.update(app_config)
    app = create_app(config)
    limiter.reset()
    yield app
    app.extensions["avis_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session on the test's database (commit to make data visible to requests)."""
    session: Session = app.extensions["avis_sessionmaker"]()
    yield session
    session.close()


class AuthActions:
    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str = "quality@example.org", password: str = "correct horse battery"):
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
