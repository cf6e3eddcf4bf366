"""Réponses-types: written once by the mission per category and service, filled with the
réclamation's details in the usager's language; a reply sent as the template stands needs
a confirmation; each reply remembers the template it started from."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import select

from surveys.models import Reclamation, ReclamationCategory, ReplyTemplate
from surveys.reclamations import NewReclamation, create_reclamation
from tests.factories import make_user

TEXT_FR = "Bonjour {nom},\nvotre message {reference} du {date_reception} a été lu par {service}."
TEXT_EN = "Dear {nom},\nyour message {reference} of {date_reception} was read by {service}."
RECEIVED = date(2026, 11, 2)


@pytest.fixture
def rec(db, places):
    make_user(db, "quality")
    created, _ = create_reclamation(
        db,
        NewReclamation(
            kind="reclamation",
            channel="courriel",
            category="appointment",
            site="92-nanterre",
            service="etrangers",
            text="No appointment slot for weeks.",
            received_on=RECEIVED,
            reply_wanted=True,
            contact_name="Ada Usager",
            contact_email="ada@example.org",
            language="en",
        ),
        today=RECEIVED,
    )
    db.commit()
    return created.id, created.reference


def _template_form(db, **changes) -> dict:
    category = db.scalar(
        select(ReclamationCategory).where(ReclamationCategory.code == "appointment")
    )
    data = {
        "template-name": "Rendez-vous, étrangers",
        "template-category": str(category.id),
        "template-service": "",
        "template-active": "y",
        "template-text_fr": TEXT_FR,
        "template-text_en": TEXT_EN,
    }
    db.rollback()
    data.update(changes)
    return data


def test_the_mission_writes_a_template_and_an_unknown_placeholder_is_refused(client, auth, db, rec):
    auth.login()
    bad = client.post(
        "/backoffice/admin/reponses-types",
        data=_template_form(db, **{"template-text_fr": "Cher {prenom}"}),
    )
    assert bad.status_code == 400 and "{prenom}" in html.unescape(bad.text)
    assert db.scalar(select(ReplyTemplate)) is None
    db.rollback()
    made = client.post("/backoffice/admin/reponses-types", data=_template_form(db))
    assert made.status_code == 302
    template = db.scalar(select(ReplyTemplate))
    assert template.texts == {"fr": TEXT_FR, "en": TEXT_EN}


def test_a_reply_starts_from_the_template_filled_in_the_usagers_language(client, auth, db, rec):
    rec_id, reference = rec
    auth.login()
    client.post("/backoffice/admin/reponses-types", data=_template_form(db))
    template_id = db.scalar(select(ReplyTemplate.id))
    db.rollback()
    page = html.unescape(
        client.get(f"/backoffice/reclamations/{rec_id}?template={template_id}").text
    )
    filled = (
        f"Dear Ada Usager,\nyour message {reference} of November 2, 2026 was read by "
        "Bureau des étrangers."
    )
    assert filled in page
    reply = {
        "template_id": str(template_id),
        "reply_text": filled,
        "reply_channel": "telephone",
        "answered_on": RECEIVED.isoformat(),
    }
    unchanged = client.post(f"/backoffice/reclamations/{rec_id}/reply", data=reply)
    assert (
        unchanged.status_code == 303 and f"template={template_id}" in unchanged.headers["Location"]
    )
    assert "telle quelle" in html.unescape(client.get(unchanged.headers["Location"]).text)
    assert db.get(Reclamation, rec_id).status == "new"
    db.rollback()
    confirmed = client.post(
        f"/backoffice/reclamations/{rec_id}/reply", data={**reply, "confirm_template": "yes"}
    )
    assert confirmed.status_code == 303
    db.expire_all()
    stored = db.get(Reclamation, rec_id)
    assert (stored.status, stored.reply_template_id) == ("answered", template_id)
    db.rollback()
    listing = client.get("/backoffice/admin/reponses-types").text
    assert "<td>1</td>" in listing  # one reply started from it


def test_an_edited_reply_needs_no_confirmation(client, auth, db, rec):
    rec_id, _reference = rec
    auth.login()
    client.post("/backoffice/admin/reponses-types", data=_template_form(db))
    template_id = db.scalar(select(ReplyTemplate.id))
    db.rollback()
    answer = client.post(
        f"/backoffice/reclamations/{rec_id}/reply",
        data={
            "template_id": str(template_id),
            "reply_text": "Dear Ada, a slot opens on Monday: call us at 9.",
            "reply_channel": "telephone",
            "answered_on": RECEIVED.isoformat(),
        },
    )
    assert answer.status_code == 303
    db.expire_all()
    assert db.get(Reclamation, rec_id).reply_template_id == template_id
