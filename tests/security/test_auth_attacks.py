"""Attacks on accounts and sessions: brute force, enumeration, fixation, replay after logout,
disabled accounts, timeouts, tampered cookies, open redirects. Each case checks the status,
the message and that nothing was stored or changed."""

from __future__ import annotations

import time

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import func, select

from surveys.models import AuditEntry, User
from surveys.users import set_active
from tests.factories import PASSWORD, make_user

GENERIC = "Adresse ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion."


@pytest.fixture
def quality(db):
    user = make_user(db, "quality")
    db.commit()
    return user.id


def login(client, email="quality@example.org", password=PASSWORD, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)


def logged_in(client) -> bool:
    response = client.get("/backoffice/")
    return response.status_code == 200


def audit_count(db) -> int:
    db.rollback()
    count = db.scalar(select(func.count()).select_from(AuditEntry))
    db.rollback()
    return count


def test_a_wrong_password_gets_the_generic_error_and_no_session(client, quality, db):
    response = login(client, password="not the password")
    assert response.status_code == 401
    assert GENERIC in response.text
    assert not logged_in(client)
    assert audit_count(db) == 0


def test_an_unknown_address_gets_exactly_the_same_answer(client, quality):
    known = login(client, password="not the password")
    unknown = login(client, email="nobody@example.org", password="not the password")
    assert unknown.status_code == known.status_code == 401
    assert GENERIC in unknown.text
    strip = lambda text: text.replace("nobody@example.org", "").replace("quality@example.org", "")  # noqa: E731
    assert strip(unknown.text).count("error") == strip(known.text).count("error")


def test_a_disabled_account_cannot_log_in_with_its_right_password(client, db, quality):
    set_active(db.get(User, quality), False)
    db.commit()
    response = login(client)
    assert response.status_code == 401 and GENERIC in response.text
    assert not logged_in(client)


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="3 per 15 minutes")
def test_brute_force_on_one_account_is_throttled_even_with_the_right_password(client, quality):
    for attempt in range(3):
        assert login(client, password=f"guess {attempt}").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert THROTTLED in response.text
    assert response.headers["Retry-After"]
    assert not logged_in(client)


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ADDRESS="4 per 15 minutes")
def test_password_spraying_from_one_address_is_throttled(client, quality):
    for n in range(4):
        assert (
            login(client, email=f"user{n}@example.org", password="Printemps2026").status_code == 401
        )
    response = login(client)
    assert response.status_code == 429 and THROTTLED in response.text


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
def test_successful_logins_do_not_count_towards_the_throttle(app, quality):
    for _ in range(4):
        client = app.test_client()
        assert login(client).status_code == 302


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ADDRESS="3 per 15 minutes")
def test_a_forged_x_forwarded_for_does_not_escape_the_throttle_without_a_proxy(client, quality):
    for n in range(3):
        login(client, password="guess", headers={"X-Forwarded-For": f"10.0.0.{n}"})
    response = login(client, password="guess", headers={"X-Forwarded-For": "10.9.9.9"})
    assert response.status_code == 429


@pytest.mark.app_config(AVIS_LOGIN_LIMIT_ADDRESS="3 per 15 minutes", AVIS_TRUSTED_PROXIES=1)
def test_behind_one_proxy_only_the_address_it_adds_counts(client, quality):
    # The client forges the leftmost value; the proxy appends the real address on the right.
    for n in range(3):
        headers = {"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.7"}
        assert login(client, password="guess", headers=headers).status_code == 401
    headers = {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}
    assert login(client, password="guess", headers=headers).status_code == 429
    other = {"X-Forwarded-For": "198.51.100.1"}
    assert login(client, email="x@example.org", password="guess", headers=other).status_code == 401


def test_login_starts_a_fresh_session_no_fixation(client, quality):
    with client.session_transaction() as session:
        session["planted"] = "by the attacker"
    assert login(client).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{quality}:")


def test_an_old_session_cookie_is_refused_after_logout(app, client, quality):
    login(client)
    stolen = client.get_cookie("session").value
    assert client.post("/auth/logout").status_code == 302
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/backoffice/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_disabled_accounts_live_session_ends_at_once(client, db, quality):
    login(client)
    assert logged_in(client)
    set_active(db.get(User, quality), False)
    db.commit()
    response = client.get("/backoffice/admin/sites")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_role_change_ends_the_accounts_sessions(client, db, quality):
    from surveys.users import update_user
    from tests.factories import make_site

    site_id = make_site(db).id
    db.commit()  # an open write here would hold the login below for SQLite's busy timeout
    login(client)
    assert logged_in(client)
    user = db.get(User, quality)
    update_user(db, user, name="Q", role="viewer", language="fr", scopes=[(site_id, None)])
    db.commit()
    response = client.get("/backoffice/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_idle_session_expires(client, quality):
    login(client)
    with client.session_transaction() as session:
        session["_avis_seen_at"] = int(time.time()) - 31 * 60
    response = client.get("/backoffice/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert "Votre session a expiré" in page.text


def test_a_session_ends_after_its_maximum_age_even_when_active(client, quality):
    login(client)
    with client.session_transaction() as session:
        session["_avis_login_at"] = int(time.time()) - 11 * 3600
    assert client.get("/backoffice/").status_code == 302


def test_a_session_cookie_signed_with_another_key_is_refused(app, client, quality):
    interface = SecureCookieSessionInterface()

    class Other:
        secret_key = "guessed-key"
        config = app.config

    serializer = interface.get_signing_serializer(Other())
    forged = serializer.dumps(
        {
            "_user_id": f"{quality}:1",
            "_fresh": True,
            "_avis_login_at": int(time.time()),
            "_avis_seen_at": int(time.time()),
        }
    )
    client.set_cookie("session", forged)
    assert client.get("/backoffice/").status_code == 302


def test_a_session_id_with_a_stale_version_is_refused(client, db, quality):
    login(client)
    with client.session_transaction() as session:
        session["_user_id"] = f"{quality}:0"
    assert client.get("/backoffice/").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax_over_http(client, quality):
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(client, quality):
    response = login(client, base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x=1",
    ],
)
def test_login_never_redirects_off_site(client, quality, target):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": "quality@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location
    assert "\r" not in location and "\n" not in location


def test_an_oversize_login_body_is_refused_before_any_work(client, quality):
    response = client.post(
        "/auth/login", data={"email": "a@b.c", "password": "x" * (2 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert not logged_in(client)


@pytest.mark.parametrize(
    "email",
    [
        "quality@example.org\x00",
        "a" * 5000 + "@example.org",
        "quality@example.org\r\nBcc: x@evil.example",
    ],
)
def test_malformed_addresses_at_login_fail_cleanly(client, quality, email):
    response = login(client, email=email)
    assert response.status_code in (400, 401)
    assert not logged_in(client)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/backoffice/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_logging_in_and_out_is_audited_without_the_address(client, db, quality):
    login(client)
    client.post("/auth/logout")
    db.rollback()
    db.expire_all()
    entries = db.scalars(select(AuditEntry)).all()
    assert [e.action for e in entries] == ["auth.login", "auth.logout"]
    assert all("example.org" not in (e.detail or "") + (e.object_id or "") for e in entries)


def test_changing_ones_password_ends_other_sessions_and_refuses_weak_ones(app, client, db, quality):
    other = app.test_client()
    login(client)
    login(other)
    weak = client.post(
        "/auth/password",
        data={"current": PASSWORD, "new": "motdepasse123", "confirm": "motdepasse123"},
    )
    assert weak.status_code == 400 and "trop courant" in weak.text
    wrong = client.post(
        "/auth/password",
        data={
            "current": "nope",
            "new": "une longue phrase sûre",
            "confirm": "une longue phrase sûre",
        },
    )
    assert wrong.status_code == 400 and "Mot de passe actuel incorrect" in wrong.text
    ok = client.post(
        "/auth/password",
        data={
            "current": PASSWORD,
            "new": "une longue phrase sûre",
            "confirm": "une longue phrase sûre",
        },
    )
    assert ok.status_code == 302
    assert logged_in(client)
    assert not logged_in(other)
    fresh = app.test_client()
    assert login(fresh, password="une longue phrase sûre").status_code == 302


def test_no_account_exists_before_one_is_created(db):
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_the_cli_refuses_a_weak_first_admin_password(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "chef@example.org",
            "--name",
            "Chef",
            "--role",
            "admin",
            "--password",
            "azertyuiop12",
        ]
    )
    assert result.exit_code != 0 and "password" in result.output
    db.rollback()
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User)) == 0
