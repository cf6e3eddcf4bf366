"""Two app servers (gunicorn, two ports) on one PostgreSQL and one Redis, as a préfecture
adding a second server would run them: nothing that must be shared lives in a process.
Responses and réclamations go through both; every count, the shared limits and the
dashboard's figures are checked."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from surveys.calendar import local_today
from surveys.db import make_engine, make_sessionmaker, session_scope
from surveys.users import create_user

from .harness import (
    Gunicorn,
    RedisServer,
    app_environment,
    count_rows,
    free_port,
    http_json,
    migrate_and_seed,
    response_body,
    response_requests,
    run_load,
    stored_response_ids,
    wait_until,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def two_servers(pg_database, redis_server, tmp_path):
    seeded = migrate_and_seed(pg_database, tablets=16)
    engine = make_engine(pg_database)
    with session_scope(make_sessionmaker(engine)) as session:
        create_user(
            session,
            email="qualite@example.org",
            name="Mission qualité",
            password=PASSWORD,
            role="quality",
            scopes=[],
            check_strength=False,
        )
    engine.dispose()
    env = app_environment(
        pg_database,
        tmp_path / "instance",  # each real server has its own; only the database is shared
        AVIS_RATELIMIT_STORAGE_URL=redis_server.url,
        AVIS_TRUSTED_PROXIES="1",
        # The real per-tablet limits, kept in the database: one response per 5 s.
        AVIS_TABLET_MIN_INTERVAL_SECONDS="5",
        AVIS_TABLET_HOURLY_LIMIT="300",
    )
    servers = []
    try:
        for number in range(2):
            servers.append(
                # Threaded: each server groups the responses arriving together (group
                # commit), and the groups of both must still keep each tablet's limit.
                Gunicorn(
                    dict(env, AVIS_INSTANCE_PATH=str(tmp_path / f"i{number}")),
                    workers=1,
                    threads=4,
                )
            )
        yield seeded, servers
    finally:
        for server in servers:
            server.stop()


class Browser:
    """A usager's browser: cookies kept across both servers (same host, other port)."""

    def __init__(self, forwarded_for: str) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.forwarded_for = forwarded_for

    def open(self, url: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback only
            url,
            data=data,
            headers={"X-Forwarded-For": self.forwarded_for},
        )
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, url: str) -> str:
        status, page = self.open(url)
        assert status == 200, page[:500]
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def send_reclamation(browser: Browser, form_on: str, post_to: str, n: int) -> tuple[int, str]:
    token = browser.csrf(f"{form_on}/reclamation")
    return browser.open(
        f"{post_to}/reclamation",
        {
            "csrf_token": token,
            "place": "92-nanterre/accueil",
            "kind": "suggestion",
            "category": "reception",
            "text": f"Suggestion numéro {n} : plus de chaises dans le hall.",
        },
    )


def test_two_servers_share_one_database_and_their_limits_and_agree_on_every_figure(
    two_servers,
):
    seeded, (a, b) = two_servers

    # 1. Responses from 16 tablets through both servers at once (8 connections each).
    start = datetime.now(UTC) + timedelta(seconds=1)
    result = run_load(
        [a.port, b.port],
        response_requests(seeded, start=start, spacing=timedelta(seconds=6)),
        duration=3.0,
        retry=True,
    )
    assert result.statuses.get(429, 0) == 0 and 500 not in result.statuses
    assert result.acknowledged and result.abandoned == 0
    stored = stored_response_ids(pg_database_url(a))
    assert len(stored) == len(set(stored)) == len(result.acknowledged)
    assert set(stored) == result.acknowledged

    # 2. The per-tablet rule is the same on both servers: a second response 2 s after the
    # first is kept but marked (left out of the rates), whichever server receives it.
    auth = {"Authorization": f"Bearer {seeded.tokens[0]}"}
    # Before the load's own times (which reach minutes ahead at 6 s apart), still within
    # the 5 minutes of clock skew allowed before the enrolment.
    later = start - timedelta(minutes=3)
    first = http_json("POST", f"{a.base}/api/v1/responses", response_body(seeded, later), auth)
    second = http_json(
        "POST",
        f"{b.base}/api/v1/responses",
        response_body(seeded, later + timedelta(seconds=2)),
        auth,
    )
    assert first[0] == 201 and "flag" not in first[1], (first, second)
    assert second[0] == 201 and second[1]["flag"] == "min_interval", (first, second)

    # 3. Réclamations from 12 usagers (distinct addresses behind nginx), form served by one
    # server and posted to the other (signed session cookie, same secret), all at once.
    outcomes: list[tuple[int, str]] = []

    def usager(n: int) -> None:
        browser = Browser(f"198.51.100.{n + 1}")
        form_on, post_to = (a.base, b.base) if n % 2 else (b.base, a.base)
        outcomes.append(send_reclamation(browser, form_on, post_to, n))

    threads = [threading.Thread(target=usager, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _page in outcomes] == [200] * 12, outcomes[0][1][:800]
    references = [re.search(r"\b92-\d{4}-\d{6}\b", page).group(0) for _s, page in outcomes]
    assert len(set(references)) == 12  # one counter, no reference given twice
    assert count_rows(pg_database_url(a), "reclamation") == 12

    # 4. The public form's limit (10 per minute per address) is counted in Redis: the same
    # usager alternating between servers gets 10 accepted, then 429 on both servers.
    one = Browser("203.0.113.7")
    statuses = [
        send_reclamation(one, a.base, (a.base, b.base)[n % 2], 100 + n)[0] for n in range(12)
    ]
    assert statuses == [200] * 10 + [429, 429], statuses
    assert count_rows(pg_database_url(a), "reclamation") == 22

    # 4b. Réclamations from the 16 tablets through the API, 2 each, alternating servers and
    # all at once; each then sent again to the other server (a retry): same reference, 200.
    api_outcomes: dict[str, list[tuple[int, dict]]] = {}

    def tablet_reclamations(index: int) -> None:
        auth = {"Authorization": f"Bearer {seeded.tokens[index]}"}
        for n in range(2):
            body = {
                "reclamation_id": str(uuid.uuid4()),
                "site": seeded.site,
                "service": seeded.service,
                "channel": "kiosk",
                "kind": "reclamation",
                "category": "waiting_time",
                "text": f"Tablette {index}, message {n} : deux heures d'attente.",
            }
            first, again = (a, b) if (index + n) % 2 else (b, a)
            api_outcomes[body["reclamation_id"]] = [
                http_json("POST", f"{server.base}/api/v1/reclamations", body, auth)[:2]
                for server in (first, again)
            ]

    threads = [threading.Thread(target=tablet_reclamations, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(api_outcomes) == 32
    for (status, body), (status_again, body_again) in api_outcomes.values():
        assert (status, status_again) == (201, 200), (body, body_again)
        assert body["reference"] == body_again["reference"]
    api_references = {outcome[0][1]["reference"] for outcome in api_outcomes.values()}
    assert len(api_references) == 32 and not api_references & set(references)
    assert count_rows(pg_database_url(a), "reclamation") == 22 + 32

    # 5. The dashboard, logged in on one server and read on the other, counts every response.
    quality = Browser("192.0.2.10")
    token = quality.csrf(f"{a.base}/auth/login")
    status, _page = quality.open(
        f"{a.base}/auth/login",
        {"csrf_token": token, "email": "qualite@example.org", "password": PASSWORD},
    )
    assert status == 200
    today = local_today()
    query = urllib.parse.urlencode(
        {"format": "json", "from": (today - timedelta(days=1)), "to": today + timedelta(days=1)}
    )
    status, body = quality.open(f"{b.base}/backoffice/dashboard/export?{query}")
    assert status == 200, body[:500]
    report = json.loads(body)
    responses = len(result.acknowledged) + 1  # the load, then the first of step 2
    courtesy = [
        row
        for row in report["satisfaction"]
        if row["criterion"] == "courtesy" and row["site"] == seeded.site and row["service"] is None
    ]
    assert courtesy and courtesy[0]["n"] == responses and courtesy[0]["satisfied"] == responses
    received = [row for row in report["reclamations"] if row["site"] == seeded.site]
    assert received and received[0]["received"] == 22 + 32


def pg_database_url(server: Gunicorn) -> str:
    return server.env["AVIS_DATABASE_URL"]


def _web_response(seeded) -> dict:
    return {
        "response_id": str(uuid.uuid4()),
        "site": seeded.site,
        "service": seeded.service,
        "channel": "web",
        "submitted_at": datetime.now(UTC).isoformat(),
        "ratings": {"overall": 4},
    }


def _answers_everything_without_shared_limits(server: Gunicorn, seeded) -> None:
    status, health, _ = http_json("GET", f"{server.base}/healthz")
    assert status == 200
    assert health == {"status": "degraded", "database": "ok", "ratelimit": "unreachable"}
    # A phone's response, a tablet's, and a form whose limit is a Flask-Limiter decorator.
    responses = f"{server.base}/api/v1/responses"
    status, body, _ = http_json("POST", responses, _web_response(seeded))
    assert status == 201, body
    tablet = {"Authorization": f"Bearer {seeded.tokens[0]}"}
    status, body, _ = http_json("POST", responses, response_body(seeded, datetime.now(UTC)), tablet)
    assert status == 201, body
    status, page = send_reclamation(Browser("203.0.113.9"), server.base, server.base, 1)
    assert status == 200, page[:300]
    assert "shared storage unreachable" in server.log_text()


def test_redis_down_or_refusing_leaves_every_post_answered_and_healthz_says_so(tmp_path):
    if RedisServer.available():
        pytest.skip(RedisServer.available())
    url = f"sqlite:///{tmp_path}/db/avis.db"
    seeded = migrate_and_seed(url, tablets=1)

    # Refusing: a password on Redis the app was not given (steps done in the wrong order).
    refusing = RedisServer(password="a-password-the-app-was-not-given")
    env = app_environment(url, tmp_path / "i1", AVIS_RATELIMIT_STORAGE_URL=refusing.url)
    server = Gunicorn(env, workers=1)
    try:
        _answers_everything_without_shared_limits(server, seeded)
    finally:
        server.stop()
        refusing.stop()

    # Down: nothing listens on its port.
    port = free_port()
    env = app_environment(
        url, tmp_path / "i2", AVIS_RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{port}/0"
    )
    server = Gunicorn(env, workers=1)
    back = None
    try:
        _answers_everything_without_shared_limits(server, seeded)
        # The per-address limit still holds, counted in this process: 60 a minute.
        responses = f"{server.base}/api/v1/responses"
        statuses = [http_json("POST", responses, _web_response(seeded))[0] for _ in range(60)]
        assert statuses == [201] * 59 + [429]

        # Redis comes back: /healthz says so at once, the counts go to Redis again soon.
        back = RedisServer(port=port)
        status, health, _ = http_json("GET", f"{server.base}/healthz")
        assert health["status"] == "ok" and health["ratelimit"] == "ok"

        def counted_in_redis() -> bool:
            http_json("POST", f"{server.base}/api/v1/reclamations", {})
            return back.command("DBSIZE") != b":0\r\n"

        wait_until(counted_in_redis, 15, "counts back in Redis")
        assert "shared storage answers again" in server.log_text()
    finally:
        server.stop()
        if back is not None:
            back.stop()
