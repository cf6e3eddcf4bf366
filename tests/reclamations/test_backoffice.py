"""The back-office workflow: inbox by scope, detail, assign, reply (mailed), close, entry."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from surveys.models import OutboxMessage, Reclamation, ReclamationEvent
from surveys.reclamations import NewReclamation, create_reclamation
from tests.factories import make_user
from tests.reclamations.smtp import body_of

# The inbox counts working days left from the day it is shown: the clock is pinned on a
# Wednesday, so that a deadline never falls on a weekend by chance of the day of the run.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    time_machine.move_to(NOW, tick=True)


def _rec(db, site="92-nanterre", service="accueil", received_on=None, **changes):
    values = dict(
        kind="reclamation",
        channel="courriel",
        category="reception",
        site=site,
        service=service,
        text="Accueil désagréable au guichet 3.",
        received_on=received_on or TODAY,
        reply_wanted=True,
        contact_name="Usager Témoin",
        contact_email="temoin@example.org",
    )
    values.update(changes)
    rec, _ = create_reclamation(db, NewReclamation(**values), today=TODAY)
    db.commit()
    return rec


@pytest.fixture
def antony_agent(db, places):
    user = make_user(
        db, role="agent", email="agent.antony@example.org", scopes=[("92-antony", "accueil")]
    )
    db.commit()
    return user


def test_agent_sees_only_their_scope_and_gets_404_elsewhere(
    client, auth, db, places, antony_agent, caplog
):
    nanterre = _rec(db)
    antony = _rec(db, site="92-antony")
    auth.login("agent.antony@example.org")

    inbox = client.get("/backoffice/reclamations").get_data(as_text=True)
    assert antony.reference in inbox
    assert nanterre.reference not in inbox

    caplog.set_level(logging.WARNING, logger="avis.access")
    assert client.get(f"/backoffice/reclamations/{nanterre.id}").status_code == 404
    assert "out-of-scope" in caplog.text
    assert client.post(f"/backoffice/reclamations/{nanterre.id}/close").status_code == 404
    assert client.get(f"/backoffice/reclamations/{antony.id}").status_code == 200


def test_inbox_shows_overdue_first_and_marked(client, auth, db, places):
    make_user(db, role="quality")
    db.commit()
    fresh = _rec(db)
    late = _rec(db, received_on=TODAY - timedelta(days=30))
    auth.login()
    html = client.get("/backoffice/reclamations").get_data(as_text=True)
    assert html.index(late.reference) < html.index(fresh.reference)
    assert 'class="overdue"' in html and "en retard" in html


def test_viewer_cannot_open_the_inbox(client, auth, db, places):
    make_user(db, role="viewer")
    db.commit()
    auth.login("viewer@example.org")
    assert client.get("/backoffice/reclamations").status_code == 403


def test_reply_by_email_is_sent_and_every_step_recorded(
    app, client, runner, auth, db, places, antony_agent, smtp_server
):
    app.config["AVIS_SMTP_URL"] = smtp_server.url
    rec = _rec(db, site="92-antony")
    rec_id = rec.id
    auth.login("agent.antony@example.org")

    client.post(
        f"/backoffice/reclamations/{rec.id}/assign", data={"service_id": places["antony"].id}
    )
    answer = client.post(
        f"/backoffice/reclamations/{rec.id}/reply",
        data={
            "reply_text": "Nous avons rappelé les règles d'accueil à l'équipe.",
            "reply_channel": "courriel",
            "answered_on": TODAY.isoformat(),
        },
    )
    assert answer.status_code == 303

    db.expire_all()
    stored = db.get(Reclamation, rec.id)
    assert (stored.status, stored.answered_on, stored.reply_channel) == (
        "answered",
        TODAY,
        "courriel",
    )
    db.rollback()
    assert smtp_server.messages == []  # queued by the request, sent by the timer
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "temoin@example.org"
    assert "rappelé les règles" in body_of(messages[0])
    actions = [
        e.action
        for e in db.scalars(
            select(ReclamationEvent)
            .where(ReclamationEvent.reclamation_id == rec.id)
            .order_by(ReclamationEvent.id)
        )
    ]
    assert actions == ["received", "assigned", "answered", "mail_queued"]
    db.rollback()

    client.post(f"/backoffice/reclamations/{rec_id}/close")
    assert db.get(Reclamation, rec_id).status == "closed"


def test_reply_date_before_receipt_is_refused(client, auth, db, places):
    make_user(db, role="quality")
    db.commit()
    rec = _rec(db)
    auth.login()
    client.post(
        f"/backoffice/reclamations/{rec.id}/reply",
        data={
            "reply_text": "Réponse",
            "reply_channel": "telephone",
            "answered_on": (TODAY - timedelta(days=3)).isoformat(),
        },
    )
    db.expire_all()
    assert db.get(Reclamation, rec.id).status == "new"


def test_entry_keeps_channel_date_place_and_type_for_the_next_card(
    client, auth, db, places, antony_agent
):
    auth.login("agent.antony@example.org")
    received = (TODAY - timedelta(days=2)).isoformat()
    answer = client.post(
        "/backoffice/reclamations/saisie",
        data={
            "channel": "urne",
            "received_on": received,
            "place": "92-antony/accueil",
            "kind": "suggestion",
            "category": "premises",
            "text": "Plus de chaises.",
        },
    )
    assert answer.status_code == 303
    rec = db.scalar(select(Reclamation))
    assert (rec.channel, rec.received_on.isoformat(), rec.site.code) == (
        "urne",
        received,
        "92-antony",
    )
    assert rec.reply_expected is False
    db.rollback()
    page = client.get("/backoffice/reclamations/saisie").get_data(as_text=True)
    assert rec.reference in page
    assert f'value="{received}"' in page
    assert '<option value="urne" selected>' in page
    assert '<option value="suggestion" selected>' in page  # a pile of urne suggestions
    assert "Plus de chaises" not in page


def test_entry_refuses_a_place_outside_the_scope(client, auth, db, places, antony_agent):
    auth.login("agent.antony@example.org")
    answer = client.post(
        "/backoffice/reclamations/saisie",
        data={
            "channel": "courrier",
            "received_on": TODAY.isoformat(),
            "place": "92-nanterre/accueil",
            "kind": "reclamation",
            "category": "other",
            "text": "Lettre",
        },
    )
    assert answer.status_code == 400
    assert db.scalar(select(Reclamation)) is None


def test_indicators_page_counts_the_answered_in_time(client, auth, db, places):
    make_user(db, role="quality")
    db.commit()
    rec = _rec(db, received_on=TODAY - timedelta(days=1))
    rec.answered_on = TODAY
    rec.status = "answered"
    db.commit()
    auth.login()
    html = client.get("/backoffice/indicateurs").get_data(as_text=True)
    assert "Tous les sites" in html
    assert "1 / 1" in html and "100,0\u00a0%" in html  # the French way, as the minutes write it
    assert ",0\u00a0j" in html  # the mean delay, in working days


def test_without_smtp_the_back_office_says_where_mail_goes(client, auth, db, places):
    make_user(db, role="admin")
    db.commit()
    auth.login("admin@example.org")
    html = client.get("/backoffice/reclamations").get_data(as_text=True)
    assert "AVIS_SMTP_URL" in html  # the server's setting and folder: for an admin only
    assert db.scalar(select(OutboxMessage)) is None


def test_a_remerciement_with_a_stored_deadline_is_never_overdue(client, auth, db, places):
    make_user(db, role="quality")
    db.commit()
    rec = _rec(db, kind="remerciement", received_on=TODAY - timedelta(days=30))
    rec.due_on = TODAY - timedelta(days=20)  # as an import may store it
    db.commit()
    auth.login()
    html = client.get("/backoffice/reclamations").get_data(as_text=True)
    assert rec.reference in html
    assert 'class="overdue"' not in html
    assert "aucune réponse attendue" in html


@pytest.mark.parametrize(
    ("language", "before_receipt", "closed"),
    [
        ("fr", "La réponse précède la réception.", "Ce message est déjà clos."),
        ("en", "The reply comes before the message was received.", "already closed"),
    ],
)
def test_a_refused_step_is_told_in_the_agents_language(
    client, auth, db, places, language, before_receipt, closed
):
    user = make_user(db, role="quality")
    user.language = language
    db.commit()
    rec = _rec(db)
    auth.login()
    early = (TODAY - timedelta(days=3)).isoformat()
    reply = {"reply_text": "Réponse", "reply_channel": "telephone", "answered_on": early}
    page = client.post(
        f"/backoffice/reclamations/{rec.id}/reply", data=reply, follow_redirects=True
    ).text
    assert before_receipt in page
    client.post(f"/backoffice/reclamations/{rec.id}/close")
    page = client.post(f"/backoffice/reclamations/{rec.id}/close", follow_redirects=True).text
    assert closed in page
    if language == "en":  # the domain's own French never reaches an English reader
        assert "précède" not in page and "déjà clos" not in page


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Choisissez le canal."), ("en", "Choose the channel.")]
)
def test_entry_asks_for_the_channel_in_the_agents_language(
    client, auth, db, places, antony_agent, language, text
):
    antony_agent.language = language
    db.commit()
    auth.login("agent.antony@example.org")
    card = {
        "channel": "pigeon",
        "received_on": TODAY.isoformat(),
        "place": "92-antony/accueil",
        "kind": "suggestion",
        "category": "premises",
        "text": "Plus de chaises.",
    }
    answer = client.post("/backoffice/reclamations/saisie", data=card)
    assert answer.status_code == 400 and text in answer.text
    assert db.scalar(select(Reclamation)) is None
