"""The per-account login limit is kept in the database: it holds whichever worker or server
each attempt reaches, whatever the rate-limit storage (``memory://`` is per process), and
attempts made at the same moment all count."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import select

from kiosk.extensions import limiter
from surveys.models import LoginFailure
from tests.factories import PASSWORD, make_user

THROTTLED = "Trop de tentatives de connexion."


@pytest.fixture
def quality(db):
    user = make_user(db, "quality")
    db.commit()
    db.close()
    return user.email


def attempt(app, email, password):
    # A new worker process: its limiter's memory has seen none of the earlier attempts.
    limiter.reset()
    return app.test_client().post("/auth/login", data={"email": email, "password": password})


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="3 per 15 minutes")
def test_the_account_limit_holds_when_each_attempt_reaches_another_worker(app, quality):
    for n in range(3):
        assert attempt(app, quality, f"guess {n}").status_code == 401
    refused = attempt(app, quality, PASSWORD)
    assert refused.status_code == 429 and THROTTLED in refused.text
    # The wait is what is left of the 15 minutes, not a fixed minute.
    assert 60 < int(refused.headers["Retry-After"]) <= 901


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="3 per 15 minutes")
def test_two_servers_on_one_database_count_the_same_failures(app, database_url, tmp_path, quality):
    from kiosk import create_app

    other = create_app({**app.config, "INSTANCE_PATH": str(tmp_path / "other")})
    try:
        servers = [app, other, app]
        for n, server in enumerate(servers):
            assert attempt(server, quality, f"guess {n}").status_code == 401
        assert attempt(other, quality, PASSWORD).status_code == 429
    finally:
        other.extensions["avis_engine"].dispose()


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="3 per 15 minutes")
def test_attempts_at_the_same_moment_all_count(app, quality):
    limiter.reset()
    statuses: list[int] = []
    start = threading.Barrier(8)

    def one(n: int) -> None:
        client = app.test_client()
        start.wait()
        statuses.append(
            client.post(
                "/auth/login", data={"email": quality, "password": f"guess {n}"}
            ).status_code
        )

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 3 + [429] * 5


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
def test_an_unknown_address_is_throttled_like_a_known_one(app, quality):
    for email in ("nobody@example.org", quality):
        for n in range(2):
            assert attempt(app, email, f"guess {n}").status_code == 401
        assert attempt(app, email, "guess").status_code == 429


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
def test_the_failures_are_kept_without_the_address_and_a_success_is_not_one(app, db, quality):
    assert attempt(app, quality, "wrong").status_code == 401
    assert attempt(app, quality.upper(), PASSWORD).status_code == 302
    keys = db.scalars(select(LoginFailure.account_key)).all()
    db.rollback()
    assert len(keys) == 1
    plain = hashlib.sha256(quality.encode()).hexdigest()
    assert quality not in keys[0] and not plain.startswith(keys[0])
    # One failure and one success: one more failure is still allowed.
    assert attempt(app, quality, "wrong again").status_code == 401
    assert attempt(app, quality, PASSWORD).status_code == 429
