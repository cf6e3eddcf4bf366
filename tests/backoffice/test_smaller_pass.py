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
    args = ["qr", "--site", "92-nanterre", "--service", "accueil", "--url"]
    result = runner.invoke(args=args, env={"LC_ALL": "C"})
    assert result.exit_code == 0
    assert result.stdout.startswith("http://localhost/q/")
    assert "désigne cette machine" in result.stderr and "AVIS_BASE_URL=" in result.stderr
    english = runner.invoke(args=args, env={"LC_ALL": "en_GB.UTF-8"})
    assert "points to this machine" in english.stderr


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


def test_a_reply_typed_in_late_keeps_its_date_shows_both_and_is_listed(client, auth, db, places):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from surveys.reclamations import NewReclamation, create_reclamation, record_reply

    def letter(text: str):
        rec, _ = create_reclamation(
            db,
            NewReclamation(
                kind="reclamation",
                channel="courrier",
                category="premises",
                site="92-nanterre",
                service="accueil",
                text=text,
                received_on=date(2026, 11, 2),
            ),
            today=date(2026, 11, 2),
        )
        return rec

    late, prompt = letter("Pas de chaises."), letter("Trop froid.")
    with time_machine.travel(datetime(2026, 12, 3, 15, tzinfo=ZoneInfo("Europe/Paris"))):
        # Sent on 20 November, typed on 3 December: 9 working days later.
        record_reply(
            db,
            late,
            text="Réponse",
            channel="courrier",
            answered_on=date(2026, 11, 20),
            user_id=None,
        )
        record_reply(
            db,
            prompt,
            text="Réponse",
            channel="courrier",
            answered_on=date(2026, 12, 1),
            user_id=None,
        )
    references = late.reference, prompt.reference
    late_id = late.id
    make_user(db, "quality")
    db.commit()
    auth.login()
    page = client.get("/backoffice/indicateurs?from=2026-11-01&to=2026-12-31").text
    section = page.split('id="late-entries"')[1]
    assert references[0] in section and references[1] not in section
    assert "20/11/2026" in section and "03/12/2026" in section and ">9<" in section
    detail = client.get(f"/backoffice/reclamations/{late_id}").text
    assert "20 novembre 2026" in detail and "saisie le 03/12/2026 15:00" in detail
    db.expire_all()
    assert db.get(type(late), late_id).answered_on == date(2026, 11, 20)
