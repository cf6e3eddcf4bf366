"""Receiving, assigning, answering and closing réclamations (the domain, no web)."""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from surveys import DomainError
from surveys.models import Reclamation, ReclamationEvent
from surveys.reclamations import (
    NewReclamation,
    assign,
    close,
    create_reclamation,
    find_by_reference,
    parse_reply_days,
    record_reply,
    working_days_left,
)
from tests.factories import make_service, make_site, make_user

TODAY = date(2023, 4, 20)


def _new(**changes) -> NewReclamation:
    values = dict(
        kind="reclamation",
        channel="courriel",
        category="waiting_time",
        site="92-nanterre",
        service="accueil",
        text="Mon dossier attend depuis six mois.",
        received_on=date(2023, 4, 6),
    )
    values.update(changes)
    return NewReclamation(**values)


@pytest.fixture
def service(db):
    service = make_service(db)
    db.commit()
    return service


def _count(db) -> int:
    return db.scalar(select(func.count(Reclamation.id)))


def test_reclamation_gets_reference_and_deadline_of_its_departement(db, service):
    rec, created = create_reclamation(
        db,
        _new(reply_wanted=True, contact_name="A. Usager", contact_email="a@example.org"),
        today=TODAY,
    )
    assert created
    assert rec.reference == "92-2023-000001"
    assert rec.due_on == date(2023, 4, 14)
    assert rec.reply_expected is True
    second, _ = create_reclamation(db, _new(), today=TODAY)
    assert second.reference == "92-2023-000002"
    assert second.due_on is None  # anonymous: no reply expected
    assert find_by_reference(db, "92-2023-000002") is second
    assert find_by_reference(db, "92-2023-2; drop") is None


def test_references_restart_each_year_and_per_departement(db, service):
    make_service(db, make_site(db, code="57-metz", name="Metz", departement="57"))
    a, _ = create_reclamation(db, _new(received_on=date(2022, 12, 30)), today=TODAY)
    b, _ = create_reclamation(db, _new(site="57-metz"), today=TODAY)
    c, _ = create_reclamation(db, _new(), today=TODAY)
    assert (a.reference, b.reference, c.reference) == (
        "92-2022-000001",
        "57-2023-000001",
        "92-2023-000001",
    )


def test_remerciement_never_expects_a_reply(db, service):
    rec, _ = create_reclamation(
        db,
        _new(kind="remerciement", reply_wanted=True, contact_email="a@example.org"),
        today=TODAY,
    )
    assert rec.reply_expected is False
    assert rec.due_on is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"text": "   "}, "text", "required"),
        ({"text": "é" * 5001}, "text", "too_long"),
        ({"kind": "plainte"}, "kind", "unknown"),
        ({"channel": "fax"}, "channel", "unknown"),
        ({"category": "nope"}, "category", "unknown"),
        ({"site": "75-paris"}, "site", "unknown"),
        ({"service": "nope"}, "service", "unknown"),
        ({"language": "xx"}, "language", "unknown"),
        ({"contact_email": "a@example.org"}, "reply_wanted", "contact_without_reply"),
        ({"contact_name": "A. Usager"}, "reply_wanted", "contact_without_reply"),
        ({"reply_wanted": True}, "contact_email", "contact_required"),
        (
            {"reply_wanted": True, "contact_email": "a@example.org\r\nBcc: x@example.org"},
            "contact_email",
            "line_break",
        ),
        ({"reply_wanted": True, "contact_email": "not an email"}, "contact_email", "email"),
        ({"received_on": date(2023, 4, 21)}, "received_on", "future"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(db, service, changes, field, code):
    with pytest.raises(DomainError) as error:
        create_reclamation(db, _new(**changes), today=TODAY)
    db.rollback()
    assert (error.value.field, error.value.code) == (field, code)
    assert _count(db) == 0


def test_text_of_5000_characters_is_accepted_counted_in_characters(db, service):
    rec, _ = create_reclamation(db, _new(text="é" * 5000), today=TODAY)
    assert len(rec.text) == 5000


def test_same_client_id_stores_once_and_different_content_conflicts(db, service):
    client_id = str(uuid.uuid4())
    first, created = create_reclamation(db, _new(client_id=client_id), today=TODAY)
    again, created_again = create_reclamation(db, _new(client_id=client_id), today=TODAY)
    assert created and not created_again
    assert again.id == first.id
    with pytest.raises(DomainError) as error:
        create_reclamation(db, _new(client_id=client_id, text="Autre chose"), today=TODAY)
    assert error.value.code == "conflict"
    assert _count(db) == 1


def test_workflow_records_who_and_when_without_personal_data(db, service):
    other = make_service(db, code="etrangers", name="Étrangers")
    agent = make_user(db, role="agent", scopes=[("92-nanterre", "etrangers")])
    rec, _ = create_reclamation(
        db,
        _new(reply_wanted=True, contact_name="Nom Secret", contact_email="secret@example.org"),
        today=TODAY,
    )
    assert working_days_left(rec, date(2023, 4, 13)) == 1
    assert working_days_left(rec, date(2023, 4, 17)) == -1
    assign(db, rec, other.id, agent.id)
    assert rec.status == "assigned"
    with pytest.raises(DomainError):
        record_reply(
            db,
            rec,
            text="Réponse",
            channel="courriel",
            answered_on=date(2023, 4, 5),
            user_id=agent.id,
            today=TODAY,
        )
    record_reply(
        db,
        rec,
        text="Votre dossier est prêt.",
        channel="courriel",
        answered_on=date(2023, 4, 14),
        user_id=agent.id,
        today=TODAY,
    )
    assert (rec.status, rec.answered_on, rec.last_exchange_on) == (
        "answered",
        date(2023, 4, 14),
        date(2023, 4, 14),
    )
    assert working_days_left(rec, TODAY) is None
    close(db, rec, agent.id)
    db.commit()
    events = db.scalars(
        select(ReclamationEvent).where(ReclamationEvent.reclamation_id == rec.id)
    ).all()
    assert [e.action for e in events] == ["received", "assigned", "answered", "closed"]
    assert all(e.at is not None for e in events)
    assert [e.user_id for e in events[1:]] == [agent.id] * 3
    for event in events:
        detail = event.detail or ""
        assert "Secret" not in detail and "secret@" not in detail and "dossier" not in detail


def test_reply_by_email_needs_an_email_address(db, service):
    rec, _ = create_reclamation(
        db, _new(reply_wanted=True, contact_address="1 rue de la Paix, 92000 Nanterre"), today=TODAY
    )
    with pytest.raises(DomainError) as error:
        record_reply(
            db,
            rec,
            text="Réponse",
            channel="courriel",
            answered_on=TODAY,
            user_id=None,
            today=TODAY,
        )
    assert error.value.code == "no_email"


def test_reply_days_setting_is_read_over_the_defaults():
    assert parse_reply_days("") is None
    table = parse_reply_days("courriel=3, urne=15")
    assert table["courriel"] == 3 and table["urne"] == 15 and table["courrier"] == 10
    with pytest.raises(ValueError):
        parse_reply_days("fax=3")


def test_concurrent_submissions_get_distinct_references(app, service):
    factory = app.extensions["avis_sessionmaker"]
    references: list[str] = []
    errors: list[BaseException] = []

    def submit():
        session = factory()
        try:
            for _ in range(5):
                rec, _ = create_reclamation(session, _new(), today=TODAY)
                references.append(rec.reference)
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(references) == [f"92-2023-{n:06d}" for n in range(1, 21)]


@pytest.mark.parametrize(
    "address", ["o'brien@laposte.net", "jean.dupont@exemple.fr", "lea@exämple.fr"]
)
def test_an_ordinary_address_is_accepted_as_typed(address):
    from surveys.reclamations import validate_email

    assert validate_email(f"  {address} ") == address


@pytest.mark.parametrize(
    "address",
    ["usager@prefecture", "a b@exemple.fr", "a@exemple.fr\nBcc: x@y.fr", "a,b@exemple.fr", "@x.fr"],
)
def test_a_malformed_address_is_refused_naming_its_field(address):
    from surveys.reclamations import validate_email

    with pytest.raises(DomainError) as refused:
        validate_email(address)
    assert refused.value.field == "contact_email"
