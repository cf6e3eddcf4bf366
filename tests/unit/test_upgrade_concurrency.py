"""Two app servers starting at once both run ``avis db upgrade`` first: they take turns,
both succeed, and the schema is built once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from surveys import migrate
from surveys.db import make_engine
from surveys.models import Criterion
from tests.conftest import PG_ADMIN_URL, pg_database


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_ADMIN_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with pg_database() as url:
        yield url


def test_two_upgrades_at_once_both_succeed_and_build_the_schema_once(empty_database_url):
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def boot() -> None:
        engine = make_engine(empty_database_url)  # one engine per "server"
        try:
            start.wait()
            migrate.upgrade(engine)
        except BaseException as failure:  # noqa: BLE001 - reported by the assertion below
            failures.append(failure)
        finally:
            engine.dispose()

    servers = [threading.Thread(target=boot) for _ in range(2)]
    for server in servers:
        server.start()
    for server in servers:
        server.join(timeout=120)
    assert failures == []
    engine = make_engine(empty_database_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as connection:
            # The seed data went in once, not twice.
            codes = connection.execute(select(Criterion.code)).scalars().all()
            assert len(codes) == len(set(codes)) > 0
            assert connection.execute(select(func.count()).select_from(Criterion)).scalar() == len(
                codes
            )
    finally:
        engine.dispose()
