"""Attacks on the back office: CSRF, state-changing GETs, wrong roles writing, mass
assignment, markup in configuration, and the headers every response carries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveys.models import AuditEntry, Site, Tablet, User
from tests.factories import PASSWORD, make_service, make_site, make_user

NEW_SITE = {
    "new-code": "92-antony",
    "new-name": "Antony",
    "new-departement": "92",
    "new-timezone": "Europe/Paris",
}


def sites(db) -> int:
    """Count sites, then end the read: SQLite has one writer and requests must not wait."""
    db.rollback()
    count = db.scalar(select(func.count()).select_from(Site))
    db.rollback()
    return count


def login(client, email):
    assert (
        client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    )


@pytest.fixture
def admin_client(app, db):
    make_service(db)
    make_user(db, "admin")
    db.commit()
    client = app.test_client()
    login(client, "admin@example.org")
    return client


def csrf_token(client, path="/backoffice/admin/sites") -> str:
    page = client.get(path)
    found = re.search(r'name="new-csrf_token"[^>]*value="([^"]+)"', page.text)
    assert found, (page.status_code, page.headers.get("Location"), page.text[-3000:])
    return found.group(1)


def login_with_csrf(client, email: str) -> None:
    """Log ``client`` in through the login form, with the form's own CSRF token."""
    page = client.get("/auth/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_an_admin_post_without_csrf_token_is_refused(app, db):
    make_user(db, "admin")
    db.commit()
    client = app.test_client()
    login_with_csrf(client, "admin@example.org")
    before = sites(db)
    response = client.post("/backoffice/admin/sites", data=NEW_SITE)
    assert response.status_code == 400
    assert sites(db) == before


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_an_admin_post_with_another_sessions_token_is_refused(app, db):
    make_user(db, "admin")
    make_user(db, "quality")
    db.commit()
    attacker, victim = app.test_client(), app.test_client()
    login_with_csrf(attacker, "quality@example.org")
    login_with_csrf(victim, "admin@example.org")
    stolen = csrf_token(attacker)
    before = sites(db)
    response = victim.post("/backoffice/admin/sites", data={**NEW_SITE, "new-csrf_token": stolen})
    assert response.status_code == 400
    assert sites(db) == before
    # the victim's own token works: the refusal was the token, not the form
    own = csrf_token(victim)
    assert (
        victim.post("/backoffice/admin/sites", data={**NEW_SITE, "new-csrf_token": own}).status_code
        == 302
    )


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_login_without_csrf_token_is_refused(client, db):
    make_user(db, "admin")
    db.commit()
    response = client.post("/auth/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/backoffice/").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_logout_without_csrf_token_does_not_log_out(app, db):
    make_user(db, "admin")
    db.commit()
    client = app.test_client()
    login_with_csrf(client, "admin@example.org")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/backoffice/").status_code == 200


@pytest.mark.parametrize("path", ["/auth/logout", "/backoffice/admin/tablets/{id}"])
def test_a_get_cannot_change_state(admin_client, db, path):
    from surveys.tablets import register_tablet

    tablet, _code = register_tablet(db, make_service(db), "Borne")
    db.commit()
    response = admin_client.get(path.format(id=tablet.id) + "?t1-action=revoke")
    assert response.status_code == 405
    db.rollback()
    db.expire_all()
    assert db.get(Tablet, tablet.id).revoked_at is None
    db.rollback()
    assert admin_client.get("/backoffice/").status_code == 200


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_a_viewer_or_agent_cannot_write_configuration(app, db, role):
    make_service(db)
    make_user(db, role, scopes=[("92-nanterre", None)])
    db.commit()
    client = app.test_client()
    login(client, f"{role}@example.org")
    before = sites(db)
    response = client.post("/backoffice/admin/sites", data=NEW_SITE)
    assert response.status_code == 403
    assert "Accès refusé" in response.text
    assert sites(db) == before


def test_quality_cannot_create_accounts(app, db):
    make_user(db, "quality")
    db.commit()
    client = app.test_client()
    login(client, "quality@example.org")
    response = client.post(
        "/backoffice/admin/users",
        data={
            "user-email": "pirate@example.org",
            "user-name": "P",
            "user-role": "admin",
            "user-language": "fr",
            "user-password": "une phrase assez longue",
            "user-active": "y",
        },
    )
    assert response.status_code == 403
    db.rollback()
    db.expire_all()
    assert db.scalar(select(User).where(User.email == "pirate@example.org")) is None


def test_extra_fields_cannot_change_a_sites_code_or_id(admin_client, db):
    site = make_site(db)
    db.commit()
    response = admin_client.post(
        f"/backoffice/admin/sites/{site.id}",
        data={
            "site-name": "Nanterre",
            "site-departement": "92",
            "site-timezone": "Europe/Paris",
            "site-active": "y",
            "site-submit": "1",
            "site-code": "hijacked",
            "site-id": "999",
            "id": "999",
            "code": "hijacked",
        },
    )
    assert response.status_code == 302
    db.rollback()
    db.expire_all()
    site = db.get(Site, site.id)
    assert (site.code, site.name) == ("92-nanterre", "Nanterre"), response.headers


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "{{7*7}}", "\u202egnp.exe"],
)
def test_markup_in_a_site_name_is_shown_as_text(admin_client, db, name):
    response = admin_client.post("/backoffice/admin/sites", data={**NEW_SITE, "new-name": name})
    assert response.status_code == 302
    page = admin_client.get("/backoffice/admin/sites").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    if "{{" in name:
        assert name in page  # shown as typed, never evaluated
    db.rollback()
    db.expire_all()
    assert db.scalar(Site.by_code("92-antony")).name == name.strip()


def test_an_unknown_object_id_is_a_404_not_a_500(admin_client):
    for path in [
        "/backoffice/admin/sites/999999",
        "/backoffice/admin/users/999999",
        "/backoffice/admin/questionnaires/999999",
        "/backoffice/admin/campaigns/999999",
    ]:
        assert admin_client.get(path).status_code == 404, path
    assert admin_client.get("/backoffice/admin/sites/" + "9" * 40).status_code == 404


def test_forged_scope_values_are_refused(admin_client, db):
    base = {
        "user-email": "a@example.org",
        "user-name": "A",
        "user-role": "agent",
        "user-language": "fr",
        "user-password": "une phrase assez longue",
        "user-active": "y",
    }
    response = admin_client.post(
        "/backoffice/admin/users", data={**base, "user-scopes": ["999999", "1:999999", "x"]}
    )
    assert response.status_code == 400
    db.rollback()
    db.expire_all()
    assert db.scalar(select(User).where(User.email == "a@example.org")) is None


def test_the_enrolment_code_is_never_logged_nor_audited(admin_client, db, caplog):
    service = make_service(db)
    db.commit()
    response = admin_client.post(
        "/backoffice/admin/tablets", data={"enrol-name": "Hall", "enrol-service": service.id}
    )
    code = re.search(r"/kiosk/enrol/([A-Za-z0-9_-]+)", response.text).group(1)
    assert code not in caplog.text
    db.rollback()
    db.expire_all()
    for entry in db.scalars(select(AuditEntry)):
        assert code not in f"{entry.action}{entry.object_id}{entry.detail}"


def test_audit_entries_never_hold_an_email_or_phone_number(db):
    from surveys.audit import record

    entry = record(
        db, None, "test", "reclamation", "1", "contact camille@example.org au 06 12 34 56 78"
    )
    assert "example.org" not in entry.detail and "06 12" not in entry.detail


# --- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/auth/login", "/healthz", "/api/v1/openapi.json"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_hsts_only_over_https(client):
    assert (
        "max-age="
        in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    )


@pytest.mark.app_config(AVIS_TRUSTED_PROXIES=1)
def test_hsts_behind_a_tls_terminating_proxy(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_back_office_pages_and_the_login_form_are_not_cached(admin_client):
    for path in ["/backoffice/", "/backoffice/admin/users", "/auth/login"]:
        assert admin_client.get(path).headers["Cache-Control"] == "no-store", path


def test_pages_cannot_be_framed(client):
    assert client.get("/auth/login").headers["X-Frame-Options"] == "DENY"
