import sys

import pytest

from kiosk import create_app


def test_config_overrides_the_environment(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "AVIS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        }
    )
    assert app.testing
    assert app.config["AVIS_DATABASE_URL"].endswith("x.db")


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("AVIS_SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path / "i"), "AVIS_DATABASE_URL": "sqlite://"}
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert oct((tmp_path / "i" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_healthz_answers_ok_with_a_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "ratelimit": "ok"}


def test_healthz_answers_503_when_the_database_cannot_be_opened(tmp_path):
    # A folder where the database file should be: SQLite cannot open it.
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "AVIS_DATABASE_URL": f"sqlite:///{tmp_path}",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}
    assert response.headers["Retry-After"] == "5"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.is_json


def test_back_office_requires_login(client):
    response = client.get("/backoffice/")
    assert response.status_code == 302
    assert "/auth/login" in response.location


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_then_logout(client, auth, db):
    from tests.factories import make_user

    make_user(db, role="quality")
    db.commit()
    assert auth.login().status_code == 302
    assert client.get("/backoffice/").status_code == 200
    auth.logout()
    assert client.get("/backoffice/").status_code == 302


def test_wrong_password_is_refused_with_a_generic_message(client, auth, db):
    from tests.factories import make_user

    make_user(db, role="quality")
    db.commit()
    response = auth.login(password="wrong password!")
    assert response.status_code == 401
    assert "Adresse ou mot de passe incorrect" in response.get_data(as_text=True)


def test_static_urls_carry_a_digest_of_the_files_so_they_can_be_cached_for_a_year(app, client):
    with app.test_request_context():
        from flask import url_for

        url = url_for("static", filename="css/base.css")
    path, _, query = url.partition("?v=")
    assert path == "/static/css/base.css" and len(query) == 12
    assert int(query, 16) >= 0  # a hexadecimal digest
    page = client.get("/avis").get_data(as_text=True)
    assert f"/static/css/base.css?v={query}" in page
    assert client.get(url).status_code == 200


def test_redis_for_the_rate_limits_without_the_redis_extra_says_what_to_install(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "redis", None)  # as if `avis[redis]` were not installed
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "i"),
        "AVIS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    with pytest.raises(RuntimeError, match=r"avis\[redis\]"):
        create_app({**config, "AVIS_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"})
    # The default keeps the limits in memory and needs no Redis at all.
    app = create_app({**config, "AVIS_RATELIMIT_STORAGE_URL": "memory://"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_no_rate_limit_is_checked_before_every_request_only_on_the_limited_views(app, client):
    # Avis sets no default limit: Flask-Limiter's check at the start of every request
    # would find nothing to count, and cost every tablet's response (bench/RESULTS.md).
    from kiosk.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]
    # A decorated view still counts: the tablet's enrolment page, 20 a minute.
    statuses = {client.get("/kiosk/enrol/not-a-code").status_code for _ in range(21)}
    assert 429 in statuses
