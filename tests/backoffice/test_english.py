"""A back-office user whose language is English sees the back office in English."""

from __future__ import annotations

import pytest

from tests.factories import make_service, make_user

PAGES = {
    "/backoffice/": "Hello Admin",
    "/backoffice/admin/sites": "New site",
    "/backoffice/admin/questionnaires": "Questions asked",
    "/backoffice/admin/campaigns": "New campaign",
    "/backoffice/admin/tablets": "Register a tablet",
    "/backoffice/admin/users": "Back-office accounts",
    "/backoffice/audit": "Audit log",
}


@pytest.fixture
def english_admin(db, client, auth):
    make_service(db)
    user = make_user(db, "admin")
    user.language = "en"
    db.commit()
    auth.login("admin@example.org")
    return client


@pytest.mark.parametrize("path, text", PAGES.items())
def test_an_english_speaking_admin_sees_english(english_admin, path, text):
    page = english_admin.get(path)
    assert page.status_code == 200
    assert text in page.text
    assert "Sign out" in page.text and "Se déconnecter" not in page.text


def test_a_wrong_login_is_reported_in_the_browsers_language(client, db):
    response = client.post(
        "/auth/login",
        data={"email": "x@example.org", "password": "nope"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert "Incorrect email address or password." in response.text
