"""Faults under load, on real gunicorn processes: a worker killed, PostgreSQL restarted, the
SQLite disk turned read-only, tablets flushing an hour of queued responses at once. Clients
retry as tablets do (same response id): every acknowledged response is stored once, none
twice, and nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .harness import (
    IS_ROOT,
    Gunicorn,
    app_environment,
    count_rows,
    http_json,
    migrate_and_seed,
    response_body,
    response_requests,
    run_load,
    stored_response_ids,
    wait_until,
)

LOAD_SECONDS = 3.0


def assert_each_acknowledged_response_stored_once(
    url: str, result, answers_per: int = 3, probes: frozenset[str] = frozenset()
):
    """``probes``: responses a test sent beside the load and saw stored (not the load's)."""
    stored = [key for key in stored_response_ids(url) if key not in probes]
    assert len(stored) == len(set(stored))  # none twice
    assert result.abandoned == 0, "a client gave up before being acknowledged"
    assert result.acknowledged, "no response was acknowledged at all"
    # Clients retried until acknowledged, so what was sent, acknowledged and stored agree.
    assert set(stored) == result.acknowledged == result.sent_keys
    assert count_rows(url, "answer") == answers_per * (len(stored) + len(probes))


# Sync workers are the default; threaded ones (gunicorn's gthread) share a process's
# connection pool between requests, which a fault must not break either.
WORKER_MODELS = pytest.mark.parametrize("threads", [1, 8], ids=["sync", "threads"])


@WORKER_MODELS
def test_a_worker_killed_during_the_load_loses_no_acknowledged_response(tmp_path, threads):
    url = f"sqlite:///{tmp_path}/db/avis.db"
    seeded = migrate_and_seed(url, tablets=16)
    server = Gunicorn(app_environment(url, tmp_path / "instance"), workers=2, threads=threads)
    killed: list[int] = []

    def kill_a_worker() -> None:
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    try:
        result = run_load(
            [server.port],
            response_requests(seeded),
            duration=LOAD_SECONDS,
            retry=True,
            during=kill_a_worker,
            during_after=1.0,
        )
        # The master replaced the killed workers by itself.
        wait_until(lambda: len(server.worker_pids()) == 2, 60, "workers replaced")
        assert not set(killed) & set(server.worker_pids())
    finally:
        server.stop()
    assert len(killed) == 1
    assert_each_acknowledged_response_stored_once(url, result)


@WORKER_MODELS
def test_postgresql_restart_answers_503_with_retry_after_then_recovers_losing_nothing(
    pg_cluster, pg_database, tmp_path, threads
):
    seeded = migrate_and_seed(pg_database, tablets=16)
    env = app_environment(pg_database, tmp_path / "instance")
    server = Gunicorn(env, workers=1, threads=threads)
    seen_while_down: dict[str, tuple] = {}

    def restart_postgresql() -> None:
        pg_cluster.stop("fast")
        try:
            body = response_body(seeded, datetime.now(UTC))
            auth = {"Authorization": f"Bearer {seeded.tokens[0]}"}
            seen_while_down["post"] = http_json(
                "POST", f"{server.base}/api/v1/responses", body, auth
            )
            seen_while_down["health"] = http_json("GET", f"{server.base}/healthz")
            seen_while_down["page"] = http_json(
                "GET", f"{server.base}/avis", headers={"Accept": "text/html"}
            )
            time.sleep(1.0)
        finally:
            pg_cluster.start()

    try:
        result = run_load(
            [server.port],
            response_requests(seeded),
            duration=LOAD_SECONDS,
            retry=True,
            during=restart_postgresql,
            during_after=1.0,
        )
        log = server.log_text()
    finally:
        server.stop()
    status, body, headers = seen_while_down["post"]
    assert status == 503, (status, body)
    assert headers.get("Retry-After") == "5" and body["error"] == "unavailable"
    assert seen_while_down["health"][0] == 503
    # An usager's page too: the error page, not a crash.
    page_status, page, page_headers = seen_while_down["page"]
    assert page_status == 503 and page_headers.get("Retry-After") == "5"
    assert "<html" in page["raw"]
    assert 500 not in result.statuses, log[-3000:]
    assert result.statuses.get(503, 0) + result.connection_errors > 0  # the outage was seen
    assert_each_acknowledged_response_stored_once(pg_database, result)


def test_a_read_only_sqlite_disk_answers_503_and_leaves_the_database_intact(tmp_path, as_root):
    folder = tmp_path / "db"
    url = f"sqlite:///{folder}/avis.db"
    seeded = migrate_and_seed(url, tablets=16)
    # As root, permissions are not checked: drop that capability so that read-only means it.
    unprivileged = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
    server = Gunicorn(app_environment(url, tmp_path / "instance"), workers=1, wrapper=unprivileged)
    seen: dict[str, tuple] = {}
    # A probe may still be stored by a worker that opened the file before it turned
    # read-only: it was acknowledged, so it counts as stored, apart from the load's.
    probes: set[str] = set()

    def files() -> list[Path]:
        return [folder, *folder.iterdir()]

    def read_only_for_a_while() -> None:
        for path in files():
            path.chmod(0o555 if path.is_dir() else 0o444)
        server.reload()  # new workers open the database afresh, as after a reboot
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and "post" not in seen:
                body = response_body(seeded, datetime.now(UTC))
                auth = {"Authorization": f"Bearer {seeded.tokens[0]}"}
                answer = http_json("POST", f"{server.base}/api/v1/responses", body, auth)
                if answer[0] == 503:
                    seen["post"] = answer
                elif answer[0] in (200, 201):
                    probes.add(body["response_id"])
                time.sleep(0.1)
        finally:
            for path in files():
                path.chmod(0o755 if path.is_dir() else 0o644)
            server.reload()

    try:
        result = run_load(
            [server.port],
            response_requests(seeded),
            duration=LOAD_SECONDS + 2,
            retry=True,
            during=read_only_for_a_while,
            during_after=1.0,
        )
        log = server.log_text()
    finally:
        server.stop()
    status, body, headers = seen["post"]
    assert status == 503 and headers.get("Retry-After") == "5"
    assert body == {"error": "unavailable", "message": "database unavailable, retry later"}
    assert 500 not in result.statuses, log[-3000:]
    with sqlite3.connect(folder / "avis.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # The probes that got 503 were never acknowledged; the load's responses all were.
    assert_each_acknowledged_response_stored_once(url, result, probes=frozenset(probes))


@WORKER_MODELS
def test_tablets_offline_for_an_hour_flushing_their_queues_together_store_each_once(
    tmp_path, threads
):
    url = f"sqlite:///{tmp_path}/db/avis.db"
    tablets, queued = 8, 12
    seeded = migrate_and_seed(url, tablets=tablets)
    # Per-tablet limits: responses closer than 5 s marked, 300 an hour at most.
    env = app_environment(
        url,
        tmp_path / "instance",
        AVIS_TABLET_MIN_INTERVAL_SECONDS="5",
        AVIS_TABLET_HOURLY_LIMIT="300",
    )
    # The queues were filled during the hour the network was down (after enrolment).
    now = datetime.now(UTC)
    queues = [
        [
            response_body(seeded, now - timedelta(minutes=59) + n * timedelta(minutes=3))
            for n in range(queued)
        ]
        for _ in range(tablets)
    ]
    server = Gunicorn(env, workers=2, threads=threads)
    statuses: list[list[int]] = [[] for _ in range(tablets)]

    def flush(index: int) -> None:
        auth = {"Authorization": f"Bearer {seeded.tokens[index]}"}
        for body in queues[index]:
            for _attempt in range(5):
                status = http_json("POST", f"{server.base}/api/v1/responses", body, auth)[0]
                if status < 500:
                    break
                time.sleep(0.2)
            statuses[index].append(status)

    def flush_all() -> None:
        threads = [threading.Thread(target=flush, args=(i,)) for i in range(tablets)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    try:
        # The enrolment happened just now in this test, so the queue is dated after it.
        seeded_back = now - timedelta(hours=1, minutes=1)
        _backdate_enrolment(url, seeded_back)
        flush_all()
        first = [s for per_tablet in statuses for s in per_tablet]
        statuses[:] = [[] for _ in range(tablets)]
        flush_all()  # the tablets did not hear back and send everything again
        second = [s for per_tablet in statuses for s in per_tablet]
    finally:
        server.stop()
    assert first == [201] * tablets * queued
    assert second == [200] * tablets * queued
    assert count_rows(url, "response") == tablets * queued
    assert count_rows(url, "answer") == 3 * tablets * queued
    sent = {body["response_id"] for queue in queues for body in queue}
    assert set(stored_response_ids(url)) == sent


def _backdate_enrolment(url: str, when: datetime) -> None:
    from sqlalchemy import update

    from surveys.db import make_engine
    from surveys.models import Tablet, bump_reference_stamp

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(update(Tablet).values(enrolled_at=when))
        # Plain SQL on a tablet: the app servers' caches must hear of it.
        bump_reference_stamp(connection)
    engine.dispose()


if not IS_ROOT:  # pragma: no cover - documented for non-root runs
    pytestmark = pytest.mark.filterwarnings("ignore")
