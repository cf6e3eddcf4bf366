"""Fixtures of the production tests: real PostgreSQL, Redis and gunicorn processes, started
from Debian's packages by the tests themselves (see ``harness.py``)."""

from __future__ import annotations

import os
import uuid

import pytest

from .harness import IS_ROOT, PostgresCluster, RedisServer

# These modules start their own PostgreSQL, Redis, gunicorn and nginx and never use the
# suite's database: the PostgreSQL pass of `make test` would run them again identically.
OWN_SERVERS = ("test_faults.py", "test_servers.py", "test_nginx.py", "test_db_check.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        if "tests/production/" not in path:
            continue
        item.add_marker(pytest.mark.slow)
        if os.environ.get("AVIS_TEST_PG_URL") and path.endswith(OWN_SERVERS):
            item.add_marker(
                pytest.mark.skip(
                    reason="starts its own servers and databases: already run in the SQLite pass"
                )
            )


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the production tests of this session."""
    reason = PostgresCluster.available()
    if reason:
        pytest.skip(reason)
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """A new, empty database on the session's cluster; returns its URL."""
    return pg_cluster.create_database(f"avis_prod_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="session")
def redis_server():
    reason = RedisServer.available()
    if reason:
        pytest.skip(reason)
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def as_root() -> None:
    if not IS_ROOT:
        pytest.skip("needs root (to drop the capability of writing read-only files)")
