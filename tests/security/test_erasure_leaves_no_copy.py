"""Erasing a person (back office) and ``avis purge`` remove every copy Avis holds of their
contact details: the mail files written without an SMTP server, the outbox, and on SQLite
the database file and its write-ahead log, read back with ``grep`` as anyone with the files
could."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.mail import queue_acknowledgement
from surveys.calendar import local_today
from surveys.models import OutboxMessage, Reclamation
from surveys.reclamations import NewReclamation, create_reclamation
from tests.factories import PASSWORD, make_service, make_user

EMAIL = "zephyrine.quidam.7f3a@example.org"
NAME = "Zéphyrine Quidam"


def holding(folder: Path, needle: str) -> list[str]:
    """The files under ``folder`` whose bytes contain ``needle`` (grep, binary as text)."""
    found = subprocess.run(  # noqa: S603 - fixed arguments, our own temporary folder
        ["grep", "-r", "-l", "-a", "-F", needle, str(folder)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    assert found.returncode in (0, 1), found.stderr
    return sorted(found.stdout.decode().split())


def copies(app, database_url: str) -> list[str]:
    """Every file of the instance folder and, on SQLite, of the database that holds the
    person's address or name."""
    places = [Path(app.instance_path)]
    if database_url.startswith("sqlite"):
        places.append(Path(database_url.removeprefix("sqlite:///")).parent)
    return sorted(
        {path for place in places for needle in (EMAIL, NAME) for path in holding(place, needle)}
    )


def outbox(db) -> list[tuple[str, str]]:
    db.rollback()
    rows = db.execute(select(OutboxMessage.to_address, OutboxMessage.body)).all()
    db.rollback()
    return [tuple(row) for row in rows]


def post_reclamation(client) -> None:
    answer = client.post(
        "/api/v1/reclamations",
        json={
            "reclamation_id": str(uuid.uuid4()),
            "site": "92-nanterre",
            "service": "accueil",
            "channel": "web",
            "kind": "reclamation",
            "category": "reception",
            "text": "On m'a renvoyée trois fois au même guichet.",
            "reply_wanted": True,
            "contact_name": NAME,
            "contact_email": EMAIL,
        },
    )
    assert answer.status_code == 201


def test_erasing_a_person_leaves_no_copy_of_their_address(app, client, runner, db, database_url):
    make_service(db)
    make_user(db, role="quality")
    db.commit()
    db.close()
    post_reclamation(client)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0  # written to <instance>/mail
    post_reclamation(client)  # its acknowledgement still queued
    before = copies(app, database_url)
    assert any(path.endswith(".eml") for path in before), before
    assert EMAIL in {address for address, _body in outbox(db)}

    client.post("/auth/login", data={"email": "quality@example.org", "password": PASSWORD})
    erased = client.post(
        "/backoffice/donnees-personnelles",
        data={"q": EMAIL, "action": "erase", "confirm": "yes"},
    )
    assert erased.status_code == 200
    assert outbox(db) == []  # the sent one and the queued one
    assert copies(app, database_url) == []


@pytest.mark.app_config(AVIS_RETENTION_DAYS=7)
def test_avis_purge_leaves_no_copy_of_the_addresses_it_erases(app, runner, db, database_url):
    today = local_today()  # the day avis purge counts from
    make_service(db)
    rec, _created = create_reclamation(
        db,
        NewReclamation(
            kind="reclamation",
            channel="courriel",
            category="reception",
            site="92-nanterre",
            service="accueil",
            text="Aucune réponse à mon courriel.",
            received_on=today - timedelta(days=30),
            reply_wanted=True,
            contact_name=NAME,
            contact_email=EMAIL,
        ),
        today=today,
    )
    with app.test_request_context():
        queue_acknowledgement(db, rec)
    db.commit()
    db.close()
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert copies(app, database_url)

    done = runner.invoke(args=["purge"], env={"LC_ALL": "C"})
    assert done.exit_code == 0, done.output
    assert done.output.startswith("1 réclamation a eu ses coordonnées effacées")
    assert copies(app, database_url) == []
    db.rollback()
    assert db.scalar(select(Reclamation.contact_email)) is None
    db.rollback()


def test_every_sqlite_connection_zeroes_what_it_deletes(app, database_url):
    # Debian builds SQLite with SECURE_DELETE on; other builds do not: Avis asks for it.
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite setting")
    with app.extensions["avis_engine"].connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
