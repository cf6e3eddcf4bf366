"""Smaller back-office fixes: a printed address on localhost is pointed out, the mail
banner shows a server path to admins only, agents follow their own indicators."""

from __future__ import annotations

import pytest

from tests.factories import make_service, make_site, make_user


@pytest.fixture
def places(db):
    nanterre = make_site(db)
    make_service(db, nanterre)
    antony = make_site(db, code="92-antony", name="Sous-préfecture d'Antony")
    make_service(db, antony)
    db.commit()


def test_qr_on_localhost_warns_and_says_how_to_set_the_address(runner, places):
    result = runner.invoke(args=["qr", "--site", "92-nanterre", "--service", "accueil", "--url"])
    assert result.exit_code == 0
    assert result.stdout.startswith("http://localhost/q/")
    assert "points to this machine" in result.stderr and "AVIS_BASE_URL=" in result.stderr


@pytest.mark.app_config(AVIS_BASE_URL="https://avis.prefecture.example")
def test_qr_on_a_public_address_says_nothing_more(runner, places):
    result = runner.invoke(args=["qr", "--site", "92-nanterre", "--service", "accueil", "--url"])
    assert result.exit_code == 0 and result.stderr == ""


def test_the_posters_page_warns_when_its_addresses_point_to_localhost(client, auth, db, places):
    make_user(db, "quality")
    db.commit()
    auth.login()
    page = client.get("/backoffice/posters").text
    assert "AVIS_BASE_URL" in page and "http://localhost" in page


def test_the_mail_banner_shows_the_folder_to_admins_only(client, auth, db, places, app):
    make_user(db, "admin")
    make_user(db, "agent", "agent@example.org", scopes=[("92-nanterre", None)])
    db.commit()
    auth.login("agent@example.org")
    inbox = client.get("/backoffice/reclamations").text
    assert "Prévenez l" in inbox and app.instance_path not in inbox
    auth.logout()
    auth.login("admin@example.org")
    assert app.instance_path in client.get("/backoffice/reclamations").text


def test_an_agent_follows_the_indicators_of_their_own_scope(client, auth, db, places):
    make_user(db, "agent", "agent@example.org", scopes=[("92-antony", "accueil")])
    db.commit()
    auth.login("agent@example.org")
    page = client.get("/backoffice/indicateurs?from=2026-01-01&to=2026-12-31")
    assert page.status_code == 200
    assert "Sous-préfecture d" in page.text and "Préfecture des Hauts-de-Seine" not in page.text
    assert 'href="/backoffice/indicateurs"' in page.text  # in the menu now
