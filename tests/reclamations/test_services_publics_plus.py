"""The Services Publics+ channel: an expérience told on the platform is a réclamation
received electronically, with 5 working days for a reply (DESIGN.md)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from surveys.calendar import reply_deadline
from surveys.models import Reclamation
from surveys.reclamations import NewReclamation, create_reclamation, record_reply
from tests.data.conftest import RECLAMATION_HEADER
from tests.factories import make_user

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    time_machine.move_to(NOW, tick=True)


@pytest.mark.parametrize(
    ("received_on", "departement", "expected"),
    [
        # Read from a paper calendar: Thursday 6 April 2023, Easter Monday on the 10th.
        (date(2023, 4, 6), "92", date(2023, 4, 14)),
        # Good Friday is a holiday in Moselle only.
        (date(2023, 4, 6), "57", date(2023, 4, 17)),
        # Received on a Friday: Monday 6 is day 1, Friday 10 day 5.
        (date(2023, 11, 3), "92", date(2023, 11, 10)),
    ],
)
def test_an_experience_gets_five_working_days_like_an_email(received_on, departement, expected):
    assert reply_deadline(received_on, "services_publics_plus", departement) == expected
    assert reply_deadline(received_on, "courriel", departement) == expected


def test_an_experience_is_stored_with_its_deadline_and_answered_on_the_platform(db, places):
    rec, _created = create_reclamation(
        db,
        NewReclamation(
            kind="reclamation",
            channel="services_publics_plus",
            category="waiting_time",
            site="92-nanterre",
            service="accueil",
            text="Expérience racontée sur la plateforme.",
            received_on=date(2026, 11, 13),
            reply_wanted=True,
            contact_name="Usager Témoin",
            contact_email="temoin@example.org",
        ),
        today=TODAY,
    )
    db.commit()
    # Friday 13 November 2026: Monday 16 is day 1, Friday 20 day 5.
    assert rec.due_on == date(2026, 11, 20)
    record_reply(
        db,
        rec,
        text="Réponse publiée.",
        channel="services_publics_plus",
        answered_on=TODAY,
        user_id=None,
        today=TODAY,
    )
    db.commit()
    stored = db.scalar(select(Reclamation))
    assert (stored.channel, stored.reply_channel) == (
        "services_publics_plus",
        "services_publics_plus",
    )
    db.rollback()


def test_the_entry_screen_offers_the_channel_and_the_inbox_names_it(client, auth, db, places):
    make_user(db, role="quality")
    db.commit()
    auth.login()
    page = client.get("/backoffice/reclamations/saisie").get_data(as_text=True)
    assert '<option value="services_publics_plus">Services Publics+</option>' in page
    answer = client.post(
        "/backoffice/reclamations/saisie",
        data={
            "channel": "services_publics_plus",
            "received_on": TODAY.isoformat(),
            "place": "92-nanterre/accueil",
            "kind": "reclamation",
            "category": "appointment",
            "text": "Pas de rendez-vous disponible.",
        },
    )
    assert answer.status_code == 303
    rec = db.scalar(select(Reclamation))
    assert rec.channel == "services_publics_plus"
    rec_id = rec.id
    db.rollback()
    detail = client.get(f"/backoffice/reclamations/{rec_id}").get_data(as_text=True)
    assert "(Services Publics+)" in detail


def test_the_import_takes_the_channel(runner, db, places, tmp_path):
    path = tmp_path / "sp.csv"
    path.write_text(
        ",".join(RECLAMATION_HEADER)
        + "\n92-2022-000001,reclamation,services_publics_plus,92-nanterre,,waiting_time,"
        "2022-03-04,2022-03-08,services_publics_plus,Expérience\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "reclamations", str(path)])
    assert result.exit_code == 0, result.output
    rec = db.scalar(select(Reclamation))
    assert (rec.channel, rec.due_on, rec.reply_channel) == (
        "services_publics_plus",
        date(2022, 3, 11),
        "services_publics_plus",
    )
    db.rollback()
