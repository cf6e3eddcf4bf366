"""Mail leaves outside the requests and outside any write transaction: the requests queue
it, ``avis mail send`` (a timer) sends it, each message marked sent as soon as the server
accepted it. Against a real SMTP server that hangs, responses keep being stored and no
message goes twice, even with a second sender running meanwhile."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from kiosk.mail import deliver_queued
from surveys.models import OutboxMessage, Response
from tests.survey.helpers import payload

ADDRESSES = ["premier@example.org", "bloque@example.org", "troisieme@example.org"]


def reclamation(email: str) -> dict:
    return {
        "reclamation_id": str(uuid.uuid4()),
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "web",
        "kind": "reclamation",
        "category": "reception",
        "text": "Guichet fermé sans affichage.",
        "reply_wanted": True,
        "contact_email": email,
    }


def sent_to(db) -> dict[str, bool]:
    db.rollback()
    rows = db.execute(select(OutboxMessage.to_address, OutboxMessage.sent_at)).all()
    db.rollback()
    return {address: sent is not None for address, sent in rows}


def received(smtp_server) -> list[str]:
    return sorted(message["To"] for message in smtp_server.messages)


def test_a_request_only_queues_its_mail(app, client, db, places, smtp_server):
    app.config["AVIS_SMTP_URL"] = smtp_server.url
    answer = client.post("/api/v1/reclamations", json=reclamation(ADDRESSES[0]))
    assert answer.status_code == 201
    assert smtp_server.messages == []
    assert sent_to(db) == {ADDRESSES[0]: False}


@pytest.mark.app_config(AVIS_SMTP_TIMEOUT=60)
def test_a_hanging_mail_server_stops_no_write_and_no_mail_goes_twice(
    app, client, db, places, smtp_server
):
    app.config["AVIS_SMTP_URL"] = smtp_server.url
    for address in ADDRESSES:
        assert client.post("/api/v1/reclamations", json=reclamation(address)).status_code == 201
    smtp_server.hang_on(ADDRESSES[1])

    outcome: dict[str, tuple[int, int]] = {}

    def timer_run() -> None:
        with app.app_context():
            outcome["first"] = deliver_queued()

    sender = threading.Thread(target=timer_run)
    sender.start()
    try:
        assert smtp_server.wait_until_hanging(), "the second message never reached the server"
        # The first message is marked sent already: a sender stopped now would not resend it.
        assert sent_to(db) == {ADDRESSES[0]: True, ADDRESSES[1]: False, ADDRESSES[2]: False}
        # Meanwhile the tablets and the web keep storing responses.
        statuses = [
            client.post("/api/v1/responses", json=payload(channel="web")).status_code
            for _ in range(20)
        ]
        assert statuses == [201] * 20
        assert client.post("/api/v1/reclamations", json=reclamation("x@example.org")).status_code
        # A second sender (a manual `avis mail send`) skips the message being sent.
        with app.app_context():
            assert deliver_queued() == (2, 0)
        assert sender.is_alive(), "the hung message was given up: the test proved nothing"
    finally:
        smtp_server.release()
        sender.join(30)
    assert outcome["first"] == (2, 0)
    assert received(smtp_server) == sorted([*ADDRESSES, "x@example.org"])
    with app.app_context():
        assert deliver_queued() == (0, 0)
    assert len(smtp_server.messages) == 4
    assert set(sent_to(db).values()) == {True}
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Response)) == 20
    db.rollback()


def test_a_failed_message_is_tried_once_per_run_and_kept(app, db, places, client):
    app.config["AVIS_SMTP_URL"] = "smtp://127.0.0.1:9"  # the discard port: nothing listens
    app.config["AVIS_SMTP_TIMEOUT"] = 2
    client.post("/api/v1/reclamations", json=reclamation(ADDRESSES[0]))
    with app.app_context():
        assert deliver_queued() == (0, 1)
    db.rollback()
    message = db.scalar(select(OutboxMessage))
    assert (message.attempts, message.sent_at, message.claimed_at) == (1, None, None)
    db.rollback()
