"""Each user chooses their own back-office language from the header; an account without a
choice follows the browser; an English page keeps no French message, and writes dates and
numbers the English way."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from surveys.models import User
from surveys.reclamations import NewReclamation, create_reclamation
from tests.factories import make_service, make_site, make_user

CATALOG = Path(__file__).resolve().parents[2] / "kiosk/translations/backoffice/en/LC_MESSAGES"
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def _french_messages() -> list[str]:
    """The French messages of the back office whose English differs, as a page shows them
    (placeholders cut out: the longest literal piece of each)."""
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    pieces = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for french, english in zip(ids, strings, strict=False):
            if not french or french == english:
                continue
            piece = max(re.split(r"%\(\w+\)s|%%", french), key=len).strip(" .:;,()")
            if len(piece) >= 12:
                pieces.append(piece)
    return pieces


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<option\b[^>]*>[^<]*</option>", " ", page)  # languages named natively
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def office(db):
    nanterre = make_site(db)
    make_service(db, nanterre)
    create_reclamation(
        db,
        NewReclamation(
            kind="reclamation",
            channel="courrier",
            category="appointment",
            site="92-nanterre",
            service="accueil",
            text="Impossible d'obtenir un rendez-vous.",
            received_on=date(2026, 3, 22),
        ),
        today=date(2026, 3, 23),
    )
    make_user(db, "admin")
    db.commit()


def test_a_user_switches_their_own_language_from_the_header(client, auth, db, office):
    auth.login("admin@example.org")
    page = client.get("/backoffice/admin/sites", headers=FRENCH)
    assert 'action="/backoffice/langue"' in page.text and "Se déconnecter" in page.text
    switched = client.post(
        "/backoffice/langue", data={"language": "en", "next": "/backoffice/admin/sites"}
    )
    assert switched.status_code == 303
    assert switched.headers["Location"] == "/backoffice/admin/sites"
    assert "Sign out" in client.get("/backoffice/admin/sites", headers=FRENCH).text
    assert db.scalar(select(User.language)) == "en"
    db.rollback()
    # Back to the browser's choice.
    client.post("/backoffice/langue", data={"language": ""})
    assert db.scalar(select(User.language)) is None
    db.rollback()
    assert "Se déconnecter" in client.get("/backoffice/", headers=FRENCH).text
    assert "Sign out" in client.get("/backoffice/", headers=ENGLISH).text


def test_the_switch_refuses_another_language_and_leaves_for_no_other_site(client, auth, office):
    auth.login("admin@example.org")
    assert client.post("/backoffice/langue", data={"language": "de"}).status_code == 400
    away = client.post(
        "/backoffice/langue", data={"language": "fr", "next": "https://evil.example/backoffice"}
    )
    assert away.headers["Location"] == "/backoffice/"


def test_the_login_prompt_of_a_protected_page_speaks_the_browsers_language(client):
    french = client.get("/backoffice/reclamations", headers=FRENCH, follow_redirects=True)
    assert "Connectez-vous pour accéder à cette page." in french.text
    assert "Please log in" not in french.text
    english = client.get("/backoffice/reclamations", headers=ENGLISH, follow_redirects=True)
    assert "Log in to open this page." in english.text


PAGES = [
    "/backoffice/",
    "/backoffice/reclamations",
    "/backoffice/reclamations/1",
    "/backoffice/reclamations/saisie",
    "/backoffice/indicateurs?from=2026-01-01&to=2026-12-31",
    "/backoffice/questionnaires/saisie",
    "/backoffice/admin/sites",
    "/backoffice/admin/questionnaires",
    "/backoffice/admin/questionnaires/1",
    "/backoffice/admin/campaigns",
    "/backoffice/admin/reponses-types",
    "/backoffice/admin/tablets",
    "/backoffice/posters",
    "/backoffice/admin/users",
    "/backoffice/audit",
    "/backoffice/donnees-personnelles",
]


def test_an_english_back_office_keeps_no_french_message(client, auth, db, office):
    auth.login("admin@example.org")
    french = _french_messages()
    assert len(french) > 200  # the check reads the real catalog
    in_french = _visible_text(client.get("/backoffice/reclamations", headers=FRENCH).text)
    assert len([piece for piece in french if piece in in_french]) >= 5  # and finds French
    client.post("/backoffice/langue", data={"language": "en"})
    left = {}
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        text = _visible_text(page.text)
        found = [piece for piece in french if piece in text]
        if found:
            left[path] = found
    assert left == {}
    inbox = _visible_text(client.get("/backoffice/reclamations").text)
    assert "22 Mar 2026" in inbox and "Booking an appointment" in inbox
    indicators = _visible_text(client.get("/backoffice/indicateurs?from=2026-01-01").text)
    assert "0.0%" in indicators or "—" in indicators
