"""The usager's rights: find, export, erase; and the purge after the retention period."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from analysis.reclamations import reclamation_indicators
from surveys.models import AuditEntry, OutboxMessage, Reclamation
from surveys.outbox import queue_message
from surveys.privacy import erase_contact, find_person, purge
from surveys.reclamations import NewReclamation, create_reclamation, record_reply
from tests.factories import make_user

TODAY = date(2026, 11, 20)


def _rec(db, email="ada@example.org", received_on=date(2026, 11, 2), **changes):
    values = dict(
        kind="reclamation",
        channel="courriel",
        category="appointment",
        site="92-nanterre",
        service="accueil",
        text="Pas de rendez-vous.",
        received_on=received_on,
        reply_wanted=True,
        contact_name="Ada Usager",
        contact_email=email,
    )
    values.update(changes)
    rec, _ = create_reclamation(db, NewReclamation(**values), today=TODAY)
    return rec


def test_find_by_email_any_case_or_reference(db, places):
    a = _rec(db)
    b = _rec(db, email="ADA@example.org")
    _rec(db, email="other@example.org")
    assert [r.id for r in find_person(db, "Ada@Example.org")] == [a.id, b.id]
    assert find_person(db, a.reference) == [a]
    assert find_person(db, "nothing") == []


def test_erasure_keeps_the_reclamation_and_its_statistics(db, places):
    rec = _rec(db)
    queue_message(db, rec.contact_email, "Accusé", "Bonjour Ada", rec.id)
    record_reply(
        db, rec, text="Réponse", channel="telephone", answered_on=TODAY, user_id=None, today=TODAY
    )
    db.commit()
    before = reclamation_indicators(db, date(2026, 1, 1), TODAY, None, TODAY)

    assert erase_contact(db, rec, None) is True
    db.commit()

    assert (rec.contact_name, rec.contact_email, rec.contact_address) == (None, None, None)
    assert rec.contact_erased_at is not None and rec.text == "Pas de rendez-vous."
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0  # unsent mail dropped
    assert reclamation_indicators(db, date(2026, 1, 1), TODAY, None, TODAY) == before
    assert erase_contact(db, rec, None) is False


def test_purge_erases_only_past_the_retention_after_the_last_exchange(db, places):
    old = _rec(db, received_on=date(2023, 1, 5))
    answered_later = _rec(db, received_on=date(2023, 1, 5))
    record_reply(
        db,
        answered_later,
        text="R",
        channel="telephone",
        answered_on=date(2024, 3, 1),
        user_id=None,
        today=TODAY,
    )
    recent = _rec(db)
    db.commit()

    assert purge(db, 3 * 365, TODAY, dry_run=True) == 1
    assert old.contact_email is not None
    assert purge(db, 3 * 365, TODAY) == 1
    db.commit()
    db.expire_all()
    assert db.get(Reclamation, old.id).contact_email is None
    assert db.get(Reclamation, answered_later.id).contact_email == "ada@example.org"
    assert db.get(Reclamation, recent.id).contact_email == "ada@example.org"


@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
def test_avis_purge_says_how_many(runner, db, places):
    # `avis purge` counts the retention from the day it runs: the clock is on TODAY.
    _rec(db, received_on=TODAY - timedelta(days=4 * 365))
    _rec(db, received_on=TODAY - timedelta(days=10))
    db.commit()
    db.close()
    french = {"LC_ALL": "C"}  # the reference language
    dry = runner.invoke(args=["purge", "--dry-run"], env=french)
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("1 réclamation verrait ses coordonnées effacées")
    done = runner.invoke(args=["purge"], env={"LC_ALL": "en_GB.UTF-8"})
    assert done.exit_code == 0, done.output
    assert done.output.startswith("1 réclamation had its contact details erased")
    again = runner.invoke(args=["purge"], env=french)
    assert again.output.startswith("0 réclamation a eu ses coordonnées effacées")


def test_privacy_page_exports_and_erases_without_the_address_in_url_or_audit(
    client, auth, db, places
):
    rec = _rec(db)
    rec_id, reference = rec.id, rec.reference
    make_user(db, role="quality")
    db.commit()
    db.close()
    auth.login()

    page = client.post("/backoffice/donnees-personnelles", data={"q": "ada@example.org"})
    assert reference in page.get_data(as_text=True)

    export = client.post(
        "/backoffice/donnees-personnelles", data={"q": "ada@example.org", "action": "export"}
    )
    data = json.loads(export.get_data(as_text=True))
    assert data["reclamations"][0]["contact"]["email"] == "ada@example.org"
    assert data["reclamations"][0]["text"] == "Pas de rendez-vous."
    assert "attachment" in export.headers["Content-Disposition"]

    unconfirmed = client.post(
        "/backoffice/donnees-personnelles", data={"q": reference, "action": "erase"}
    )
    assert unconfirmed.status_code == 200
    assert db.get(Reclamation, rec_id).contact_email == "ada@example.org"
    db.rollback()

    client.post(
        "/backoffice/donnees-personnelles",
        data={"q": reference, "action": "erase", "confirm": "yes"},
    )
    assert db.get(Reclamation, rec_id).contact_email is None
    details = " ".join(
        f"{e.action} {e.object_id} {e.detail}" for e in db.scalars(select(AuditEntry))
    )
    assert "ada@" not in details and "privacy.erase" in details


def test_agents_have_no_privacy_page(client, auth, db, places):
    make_user(db, role="agent", scopes=[("92-nanterre", None)])
    db.commit()
    auth.login("agent@example.org")
    assert client.get("/backoffice/donnees-personnelles").status_code == 403
