"""The invariants the database itself must hold, whatever the code above it does."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from surveys import migrate
from surveys.models import Answer, Base, Campaign, Criterion, Questionnaire, Reclamation, Response
from tests.factories import criterion, default_questionnaire, make_response, make_service


def test_fresh_database_holds_the_qualepref_questionnaire(db):
    questionnaire = db.scalar(select(Questionnaire).where(Questionnaire.is_default.is_(True)))
    codes = [item.criterion.code for item in questionnaire.items]
    assert codes == [
        "overall",
        "courtesy",
        "accessibility",
        "clarity",
        "orientation",
        "signage",
        "comfort",
        "confidentiality",
        "waiting_time",
    ]
    assert questionnaire.satisfied_threshold == 4
    effort = db.scalar(select(Criterion).where(Criterion.code == "effort"))
    assert effort.lower_is_better


def test_migrations_create_every_table_of_the_models(app):
    engine = app.extensions["avis_engine"]
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_models_and_migrations_agree(app):
    """A model changed without its migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = app.extensions["avis_engine"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_database_refuses_a_rating_outside_one_to_five(db, rating):
    response = make_response(db, ratings={})
    db.add(Answer(response_id=response.id, criterion_id=criterion(db, "overall").id, rating=rating))
    with pytest.raises(IntegrityError):
        db.flush()


def test_database_refuses_two_answers_to_one_criterion(db):
    response = make_response(db, ratings={"overall": 4})
    db.add(Answer(response_id=response.id, criterion_id=criterion(db, "overall").id, rating=5))
    with pytest.raises(IntegrityError):
        db.flush()


def test_database_refuses_a_duplicate_response_id(db):
    first = make_response(db)
    service = make_service(db)
    db.add(
        Response(
            response_id=first.response_id,
            site_id=service.site_id,
            service_id=service.id,
            channel="qr",
            submitted_at=datetime.now(UTC),
            questionnaire_id=default_questionnaire(db).id,
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def test_database_refuses_an_unknown_channel(db):
    service = make_service(db)
    db.add(
        Response(
            response_id=str(uuid.uuid4()),
            site_id=service.site_id,
            service_id=service.id,
            channel="fax",
            submitted_at=datetime.now(UTC),
            questionnaire_id=default_questionnaire(db).id,
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def test_foreign_keys_are_enforced(db):
    db.add(
        Response(
            response_id=str(uuid.uuid4()),
            site_id=999999,
            service_id=999999,
            channel="qr",
            submitted_at=datetime.now(UTC),
            questionnaire_id=default_questionnaire(db).id,
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def _reclamation(db, **overrides) -> Reclamation:
    service = make_service(db)
    values = dict(
        reference="92-2026-000001",
        kind="reclamation",
        channel="courriel",
        category_id=db.execute(text("SELECT id FROM reclamation_category LIMIT 1")).scalar(),
        site_id=service.site_id,
        service_id=service.id,
        received_on=date(2026, 3, 2),
        text="Délai trop long",
    )
    values.update(overrides)
    reclamation = Reclamation(**values)
    db.add(reclamation)
    return reclamation


def test_database_refuses_a_duplicate_reclamation_reference(db):
    _reclamation(db)
    db.flush()
    _reclamation(db)
    with pytest.raises(IntegrityError):
        db.flush()


def test_database_refuses_contact_details_without_a_reply_wanted(db):
    _reclamation(db, reply_wanted=False, contact_email="usager@example.org")
    with pytest.raises(IntegrityError):
        db.flush()


def test_database_refuses_a_reply_before_receipt(db):
    _reclamation(db, answered_on=date(2026, 3, 1))
    with pytest.raises(IntegrityError):
        db.flush()


def test_database_refuses_a_campaign_ending_before_it_starts(db):
    db.add(
        Campaign(
            code="c",
            name="c",
            questionnaire_id=default_questionnaire(db).id,
            starts_on=date(2022, 12, 1),
            ends_on=date(2022, 11, 1),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def test_sqlite_connections_are_tuned(app):
    engine = app.extensions["avis_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_timestamps_come_back_aware_in_utc(db):
    moment = datetime(2026, 7, 14, 10, 30, tzinfo=UTC)
    response = make_response(db, submitted_at=moment)
    db.commit()
    db.expire_all()
    stored = db.get(Response, response.id)
    assert stored.submitted_at == moment
    assert stored.submitted_at.tzinfo is not None
