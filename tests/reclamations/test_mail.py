"""Emails to usagers: bodies pinned against files, failures kept in the queue, the CLI."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

from sqlalchemy import select

from kiosk.mail import deliver_queued, queue_acknowledgement, queue_reply
from surveys.models import OutboxMessage
from surveys.reclamations import NewReclamation, create_reclamation, record_reply

SNAPSHOTS = Path(__file__).with_name("snapshots")


def _rec(db, language="fr"):
    rec, _ = create_reclamation(
        db,
        NewReclamation(
            kind="reclamation",
            channel="courriel",
            category="appointment",
            site="92-nanterre",
            service="accueil",
            text="Pas de rendez-vous.",
            language=language,
            received_on=date(2023, 4, 6),
            reply_wanted=True,
            contact_email="ada@example.org",
        ),
        today=date(2023, 4, 20),
    )
    return rec


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if not path.exists():  # first run writes the snapshot, to be read and committed
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_acknowledgement_and_reply_bodies_match_their_snapshots(app, db, places):
    rec = _rec(db)
    with app.test_request_context():
        ack = queue_acknowledgement(db, rec)
        record_reply(
            db,
            rec,
            text="Un créneau vous est proposé le 20 avril.",
            channel="courriel",
            answered_on=date(2023, 4, 12),
            user_id=None,
            today=date(2023, 4, 20),
        )
        reply = queue_reply(db, rec)
    assert ack.subject == "Votre message 92-2023-000001 a bien été reçu"
    assert reply.subject == "Réponse à votre message 92-2023-000001"
    _check("acknowledgement_fr.txt", ack.body)
    _check("reply_fr.txt", reply.body)


def test_acknowledgement_speaks_the_usager_language(app, db, places):
    rec = _rec(db, language="ar")
    with app.test_request_context():
        ack = queue_acknowledgement(db, rec)
    assert ack.subject == "تم استلام رسالتك 92-2023-000001"
    _check("acknowledgement_ar.txt", ack.body)


def test_an_unreachable_smtp_server_keeps_the_message_queued(app, db, places):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    app.config["AVIS_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["AVIS_SMTP_TIMEOUT"] = 2
    rec = _rec(db)
    with app.test_request_context():
        queue_acknowledgement(db, rec)
        db.commit()
        assert deliver_queued() == (0, 1)
    message = db.scalar(select(OutboxMessage))
    assert (message.sent_at, message.attempts, message.last_error) == (
        None,
        1,
        "ConnectionRefusedError",
    )
    db.rollback()


def test_avis_mail_send_delivers_what_waits(app, runner, db, places, smtp_server):
    app.config["AVIS_SMTP_URL"] = smtp_server.url
    rec = _rec(db)
    with app.test_request_context():
        queue_acknowledgement(db, rec)
    db.commit()
    db.close()
    result = runner.invoke(args=["mail", "send"], env={"LC_ALL": "en_GB.UTF-8"})
    assert result.exit_code == 0, result.output
    assert "1 sent (SMTP)" in result.output and "0 waiting" in result.output
    assert len(smtp_server.wait_for(1)) == 1
