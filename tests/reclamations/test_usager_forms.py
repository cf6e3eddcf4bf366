"""The usager's forms on the public pages and the tablet."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.public.tokens import make_survey_token
from surveys.models import OutboxMessage, Reclamation
from tests.reclamations.smtp import body_of

FORM = {
    "kind": "reclamation",
    "category": "waiting_time",
    "text": "Trois heures d'attente pour un titre de séjour.",
}


def _count(db) -> int:
    count = db.scalar(select(func.count(Reclamation.id)))
    db.rollback()  # ends the read, so that the next request may write
    return count


def test_web_form_lists_sites_and_stores_with_a_reference(client, db, places):
    page = client.get("/reclamation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sous-préfecture d&#39;Antony" in html and "CNIL" in html
    assert "dpo@prefecture.example" in html

    answer = client.post(
        "/reclamation", data={**FORM, "place": "92-antony/accueil"}, follow_redirects=True
    )

    assert answer.status_code == 200
    rec = db.scalar(select(Reclamation))
    assert rec.channel == "web" and rec.site.code == "92-antony"
    assert rec.reference in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"


def test_poster_token_presets_site_and_service(app, client, db, places):
    with app.test_request_context():
        token = make_survey_token("92-nanterre", "etrangers")
    page = client.get(f"/reclamation?t={token}")
    assert "Bureau des étrangers" in page.get_data(as_text=True)
    assert 'name="place"' not in page.get_data(as_text=True)

    client.post(f"/reclamation?t={token}", data={**FORM, "t": token})

    rec = db.scalar(select(Reclamation))
    assert (rec.channel, rec.service.code) == ("qr", "etrangers")


def test_a_double_submission_stores_once(client, db, places):
    data = {
        **FORM,
        "place": "92-nanterre/accueil",
        "client_id": "6f1c1d1e-8a51-4d5e-9d7b-1c2f3a4b5c6d",
    }
    first = client.post("/reclamation", data=data, follow_redirects=True)
    second = client.post("/reclamation", data=data, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    assert _count(db) == 1


@pytest.mark.parametrize(
    ("changes", "error_id"),
    [
        ({"text": ""}, "text-error"),
        ({"text": "x" * 5001}, "text-error"),
        ({"category": "inconnue"}, "category-error"),
        ({"place": "75-paris/accueil"}, "site-error"),
        ({"contact_email": "a@example.org"}, "reply_wanted-error"),
        (
            {"reply_wanted": "yes", "contact_email": "a@example.org\r\nBcc: b@example.org"},
            "contact_email-error",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_not_stored(client, db, places, changes, error_id):
    data = {**FORM, "place": "92-nanterre/accueil", **changes}
    answer = client.post("/reclamation", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'id="{error_id}"' in html
    assert re.search(f'aria-describedby="[^"]*{error_id}[^"]*"', html)
    assert _count(db) == 0


def test_ten_megabyte_body_is_refused_with_413(client, db, places):
    answer = client.post(
        "/reclamation", data={**FORM, "place": "92-nanterre/accueil", "text": "x" * 10_000_000}
    )
    assert answer.status_code == 413
    assert _count(db) == 0


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_form_without_its_csrf_token_is_refused(client, db, places):
    answer = client.post("/reclamation", data={**FORM, "place": "92-nanterre/accueil"})
    assert answer.status_code == 400
    assert _count(db) == 0


def test_acknowledgement_is_mailed_in_the_usager_language(
    app, client, runner, db, places, smtp_server
):
    app.config["AVIS_SMTP_URL"] = smtp_server.url
    client.post(
        "/reclamation?lang=en",
        data={
            **FORM,
            "place": "92-nanterre/accueil",
            "reply_wanted": "yes",
            "contact_name": "Ada Usager",
            "contact_email": "ada@example.org",
            "lang": "en",
        },
    )
    rec = db.scalar(select(Reclamation))
    assert rec.contact_email == "ada@example.org" and rec.language == "en"
    db.rollback()
    assert smtp_server.messages == []  # queued by the request, sent by the timer
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ada@example.org"
    assert rec.reference in message["Subject"]
    assert rec.reference in body_of(message)
    assert db.scalar(select(OutboxMessage)).sent_at is not None


def test_without_smtp_the_mail_is_written_to_the_instance_folder(app, client, runner, db, places):
    client.post(
        "/reclamation",
        data={
            **FORM,
            "place": "92-nanterre/accueil",
            "reply_wanted": "yes",
            "contact_email": "ada@example.org",
        },
    )
    rec = db.scalar(select(Reclamation))
    db.rollback()
    folder = Path(app.instance_path) / "mail"
    assert list(folder.glob("*.eml")) == []  # queued by the request, written by the timer
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    files = list(folder.glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: ada@example.org" in text
    assert rec.reference in text


def test_contact_details_never_reach_the_logs_nor_the_url(client, db, places, caplog):
    caplog.set_level(logging.DEBUG)
    answer = client.post(
        "/reclamation",
        data={
            **FORM,
            "place": "92-nanterre/accueil",
            "reply_wanted": "yes",
            "contact_name": "Zoé Secrète",
            "contact_email": "zoe.secrete@example.org",
            "contact_address": "12 rue Cachée",
        },
    )
    assert answer.status_code == 303  # to the page showing the reference
    logged = caplog.text
    for secret in ("Zoé", "Secrète", "zoe.secrete", "rue Cachée", "Trois heures"):
        assert secret not in logged
    assert "zoe" not in (answer.headers.get("Location") or "")
    assert _count(db) == 1


def test_tablet_form_is_preset_and_forgets_the_previous_usager(client, db, places, tablet_token):
    client.set_cookie("avis_tablet", tablet_token)
    page = client.get("/kiosk/reclamation?lang=ar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'dir="rtl"' in html and "Accueil général" in html
    assert page.headers["Cache-Control"] == "no-store"

    answer = client.post("/kiosk/reclamation", data={**FORM, "lang": "fr"}, follow_redirects=True)
    rec = db.scalar(select(Reclamation))
    assert (rec.channel, rec.site.code, rec.service.code) == ("kiosk", "92-nanterre", "accueil")
    assert rec.reference in answer.get_data(as_text=True)
    assert "Trois heures" not in answer.get_data(as_text=True)
    db.rollback()
    again = client.get("/kiosk/reclamation").get_data(as_text=True)
    assert "Trois heures" not in again


def test_tablet_form_refuses_an_unknown_device(client, db, places):
    assert client.get("/kiosk/reclamation").status_code == 403
    assert client.post("/kiosk/reclamation", data=FORM).status_code == 403
    assert _count(db) == 0


@pytest.mark.app_config(AVIS_REPLY_DAYS="web=1")
def test_reply_days_setting_sets_the_deadline(client, db, places):
    from surveys.calendar import add_working_days

    client.post(
        "/reclamation",
        data={
            **FORM,
            "place": "92-nanterre/accueil",
            "reply_wanted": "yes",
            "contact_email": "ada@example.org",
        },
    )
    rec = db.scalar(select(Reclamation))
    assert rec.due_on == add_working_days(rec.received_on, 1, "92")


def test_every_missing_field_is_reported_at_once(client, db, places):
    answer = client.post("/reclamation", data={"kind": "suggestion", "text": " "})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for error_id in ("site-error", "category-error", "text-error"):
        assert f'id="{error_id}"' in html
    assert _count(db) == 0


def test_a_malformed_reply_days_setting_stops_the_start_up(tmp_path):
    from kiosk import create_app

    with pytest.raises(ValueError, match="AVIS_REPLY_DAYS"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "INSTANCE_PATH": str(tmp_path),
                "AVIS_DATABASE_URL": f"sqlite:///{tmp_path}/a.db",
                "AVIS_REPLY_DAYS": "fax=3",
            }
        )


@pytest.mark.parametrize(
    ("days", "russian", "ukrainian"),
    [(1095, "через 3 года", "через 3 роки"), (1825, "через 5 лет", "через 5 років")],
)
def test_privacy_notice_counts_its_years_in_words_in_russian_and_ukrainian(
    app, client, places, days, russian, ukrainian
):
    app.config["AVIS_RETENTION_DAYS"] = days
    assert russian in client.get("/reclamation?lang=ru").get_data(as_text=True)
    assert ukrainian in client.get("/reclamation?lang=uk").get_data(as_text=True)
    french = client.get("/reclamation?lang=fr").get_data(as_text=True)
    assert f"effacées {days // 365} ans après" in french


def test_a_stored_message_redirects_to_its_reference_shown_once(client, db, places):
    # Post/redirect/get: Back from the reference leads to the form, never to a "resend?"
    # page, and a reload of the reference page shows an empty form, not the reference.
    answer = client.post("/reclamation?lang=en", data={**FORM, "place": "92-nanterre/accueil"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/reclamation?envoye=1&lang=en")
    rec = db.scalar(select(Reclamation))
    shown = client.get(answer.headers["Location"])
    assert shown.status_code == 200 and rec.reference in shown.get_data(as_text=True)
    again = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert rec.reference not in again and 'name="text"' in again
