"""The bulk path of ``avis import responses``: what it stores and the tallies it keeps
must be what storing the rows one by one would give."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from surveys.csvformat import ImportRefused
from surveys.import_responses import import_responses
from surveys.models import (
    Answer,
    Campaign,
    CampaignScope,
    HourTally,
    MixTally,
    Questionnaire,
    QuestionnaireItem,
    RatingTally,
    Response,
)
from surveys.response_writes import NewResponse, insert_responses
from surveys.tallies import rebuild_tallies
from tests.factories import criterion, default_questionnaire, make_service, make_site

# These tests pin the English messages; tests/data/test_spreadsheets.py the French ones.
pytestmark = pytest.mark.usefixtures("english")

CRITERIA = ("courtesy", "waiting_time", "overall", "effort")
HEADER = ["response_id", "submitted_at", "site", "service", "channel", "language"]
HEADER += [*CRITERIA, "comment"]


@pytest.fixture
def places(db):
    """Nanterre (two services, one under a campaign whose questionnaire has ``effort``),
    and La Réunion (UTC+4); committed."""
    nanterre = make_site(db)
    accueil = make_service(db, nanterre, "accueil")
    make_service(db, nanterre, "etrangers", "Bureau des étrangers")
    reunion = make_site(db, "974-st-denis", "Préfecture de La Réunion", "974", "Indian/Reunion")
    make_service(db, reunion, "accueil")
    questionnaire = Questionnaire(code="spr", version=1, titles={"fr": "Services Publics+"})
    questionnaire.items = [
        QuestionnaireItem(criterion_id=criterion(db, code).id, position=position)
        for position, code in enumerate(CRITERIA)
    ]
    db.add(questionnaire)
    db.flush()
    campaign = Campaign(
        code="spr-2025",
        name="SP+ 2025",
        questionnaire_id=questionnaire.id,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 4, 30),
    )
    campaign.scopes = [CampaignScope(site_id=nanterre.id, service_id=accueil.id)]
    db.add(campaign)
    db.commit()


def _rows(count: int, seed: int = 7) -> list[list[str]]:
    """Rows over a few months, both sites, every channel and some languages; ``effort``
    only under the campaign (Nanterre accueil, March–April)."""
    rng = random.Random(seed)
    rows = []
    start = datetime(2025, 1, 31, 18, tzinfo=UTC)  # month ends in Paris and La Réunion
    for _ in range(count):
        at = start + timedelta(minutes=rng.randrange(100 * 24 * 60))
        site, service = rng.choice(
            [("92-nanterre", "accueil"), ("92-nanterre", "etrangers"), ("974-st-denis", "accueil")]
        )
        ratings = [rng.choice(["", "1", "2", "3", "4", "5", "5"]) for _ in CRITERIA]
        in_campaign = (site, service) == ("92-nanterre", "accueil") and (
            date(2025, 3, 1) <= at.astimezone(UTC).date() <= date(2025, 4, 29)
        )
        if not in_campaign:
            ratings[-1] = ""
        comment = rng.choice(["", "", "Merci", "'=1+1"])
        if not any(ratings) and not comment:
            ratings[0] = "4"
        # Half the times in UTC, half with a Paris offset, some without (site's local time).
        stamp = rng.choice(
            [
                at.isoformat(),
                at.astimezone().replace(tzinfo=None).isoformat(),
                at.astimezone(UTC).isoformat(timespec="seconds"),
            ]
        )
        if "+" not in stamp and not in_campaign:
            stamp = at.isoformat()
        channel = rng.choice(["kiosk", "qr", "web", "paper"])
        language = rng.choice(["fr", "fr", "en", "ar", ""])
        rows.append([str(uuid.UUID(int=rng.getrandbits(128), version=4)), stamp, site, service,
                     channel, language, *ratings, comment])  # fmt: skip
    return rows


def _tallies(db) -> dict[str, list[tuple]]:
    snapshot = {
        model.__tablename__: sorted(
            tuple(getattr(row, c.name) for c in model.__table__.columns if c.name != "id")
            for row in db.scalars(select(model))
        )
        for model in (RatingTally, HourTally, MixTally)
    }
    db.rollback()
    return snapshot


def _count(db, model) -> int:
    value = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return value


def test_tallies_after_an_import_equal_a_rebuild_from_the_answers(db, places, write_csv):
    rows = _rows(600)
    result = import_responses(db, write_csv([HEADER, *rows]), chunk=64)
    db.commit()
    assert result.created == 600
    imported = _tallies(db)
    assert imported["tally_rating"] and imported["tally_hour"] and imported["tally_mix"]
    # The campaign's responses are filed under it, effort counted apart from the pooled ones.
    campaign_id = db.scalar(select(Campaign.id))
    db.rollback()
    assert any(row[3] == campaign_id for row in imported["tally_rating"])
    rebuild_tallies(db)
    db.commit()
    assert _tallies(db) == imported
    ratings = sum(1 for row in rows for cell in row[6:10] if cell)
    assert _count(db, Answer) == ratings
    total = db.scalar(
        select(
            func.sum(RatingTally.r1 + RatingTally.r2 + RatingTally.r3 + RatingTally.r4)
            + func.sum(RatingTally.r5)
        )
    )
    db.rollback()
    assert total == ratings


def test_tallies_equal_those_of_responses_stored_one_by_one(db, places, write_csv):
    rows = _rows(200, seed=11)
    import_responses(db, write_csv([HEADER, *rows]))
    db.commit()
    imported = _tallies(db)
    stored = db.scalars(select(Response)).all()
    copies = [
        NewResponse(
            response_id=str(uuid.uuid4()),
            site_id=r.site_id,
            service_id=r.service_id,
            channel=r.channel,
            language=r.language,
            submitted_at=r.submitted_at,
            questionnaire_id=r.questionnaire_id,
            campaign_id=r.campaign_id,
            ratings={a.criterion_id: a.rating for a in r.answers},
            comment=r.comment,
        )
        for r in stored
    ]
    db.rollback()
    for model in (RatingTally, HourTally, MixTally):
        db.query(model).delete()
    for copy in copies:
        insert_responses(db, [copy])
    db.commit()
    # The tallies emptied, then the same responses stored one at a time: the same counts.
    assert _tallies(db) == imported


def test_a_file_partly_stored_adds_only_the_new_rows_to_the_tallies(db, places, write_csv):
    rows = _rows(300, seed=3)
    first = import_responses(db, write_csv([HEADER, *rows[:120]]))
    db.commit()
    assert first.created == 120
    second = import_responses(db, write_csv([HEADER, *rows]), chunk=50)
    db.commit()
    assert (second.read, second.created, second.unchanged) == (300, 180, 120)
    assert _count(db, Response) == 300
    imported = _tallies(db)
    rebuild_tallies(db)
    db.commit()
    assert _tallies(db) == imported
    third = import_responses(db, write_csv([HEADER, *rows]))
    db.commit()
    assert (third.created, third.unchanged) == (0, 300)
    assert _tallies(db) == imported


def test_stored_values_are_those_of_the_file(db, places, write_csv):
    rid = "0b9c4a52-5a9e-4c51-9d0e-1a2b3c4d5e6f"
    rows = [
        [rid.upper(), "2025-03-10T09:15:00", "92-nanterre", "accueil", "paper", "",
         " 5", "04", "", "2", "'=SUM(A1)"],
    ]  # fmt: skip
    result = import_responses(db, write_csv([HEADER, *rows]))
    db.commit()
    assert result.created == 1
    stored = db.scalars(select(Response)).one()
    assert stored.response_id == rid
    # Naive times are the site's local time: 09:15 in Paris is 08:15 UTC in March.
    assert stored.submitted_at == datetime(2025, 3, 10, 8, 15, tzinfo=UTC)
    assert stored.language == "fr" and stored.comment == "=SUM(A1)"
    assert stored.campaign_id == db.scalar(select(Campaign.id))
    assert stored.questionnaire_id != default_questionnaire(db).id
    codes = {a.criterion_id: a.rating for a in stored.answers}
    assert codes == {criterion(db, "courtesy").id: 5, criterion(db, "waiting_time").id: 4,
                     criterion(db, "effort").id: 2}  # fmt: skip
    assert stored.received_at is not None and stored.finished is True
    db.rollback()
    # The same row again, written the same way, is recognised as stored.
    again = import_responses(db, write_csv([HEADER, *rows]))
    assert (again.created, again.unchanged) == (0, 1)
    db.rollback()


def test_a_conflict_found_in_a_later_chunk_stores_nothing_of_the_file(db, places, write_csv):
    rows = _rows(50, seed=5)
    import_responses(db, write_csv([HEADER, rows[40]]))
    db.commit()
    before = _tallies(db)
    changed = [list(row) for row in rows]
    changed[40][-1] = "autre commentaire"
    with pytest.raises(ImportRefused) as refused:
        import_responses(db, write_csv([HEADER, *changed]), chunk=8)
    db.rollback()
    conflict = "line 42, column response_id: conflicts with the stored response"
    assert refused.value.lines("en") == [conflict]
    assert _count(db, Response) == 1
    assert _tallies(db) == before


def test_a_long_comment_is_measured_without_the_neutralising_quote(db, places, write_csv):
    from surveys.response_rows import MAX_COMMENT

    rows = _rows(2, seed=9)
    rows[0][-1] = "'=" + "x" * (MAX_COMMENT - 1)  # MAX_COMMENT characters once read back
    rows[1][-1] = "x" * (MAX_COMMENT + 1)
    with pytest.raises(ImportRefused) as refused:
        import_responses(db, write_csv([HEADER, *rows]))
    db.rollback()
    assert refused.value.lines("en") == [
        f"line 3, column comment: longer than {MAX_COMMENT} characters"
    ]


def test_tallies_written_in_batches_and_through_copy_equal_a_rebuild(
    db, places, write_csv, monkeypatch
):
    """Large imports write the tallies in batches (SQLite) or through COPY into a
    temporary table (PostgreSQL); small thresholds make these tests take those paths."""
    import surveys.tallies

    monkeypatch.setattr(surveys.tallies, "UPSERT_BATCH", 7)
    monkeypatch.setattr(surveys.tallies, "COPY_FROM", 0)
    rows = _rows(400, seed=21)
    import_responses(db, write_csv([HEADER, *rows[::2]]))
    db.commit()
    # The second file adds to groups the first one created (ON CONFLICT ... DO UPDATE).
    result = import_responses(db, write_csv([HEADER, *rows]))
    db.commit()
    assert (result.created, result.unchanged) == (200, 200)
    imported = _tallies(db)
    rebuild_tallies(db)
    db.commit()
    assert _tallies(db) == imported


# --- PostgreSQL: the foreign keys checked once per referenced row --------------------------

postgres_only = pytest.mark.postgres_only


def _writer_checks_at_once(db) -> bool:
    from surveys.response_bulk import BulkResponseWriter

    writer = BulkResponseWriter(db, [])
    try:
        return writer.checks_at_once
    finally:
        writer.close()
        db.rollback()


@postgres_only
@pytest.mark.parametrize("table", ["site", "criterion"])
def test_an_import_holds_the_rows_it_refers_to_until_it_ends(
    db, places, write_csv, database_url, table
):
    """The triggers it switches off would lock each referenced row FOR KEY SHARE; so does
    the import: nobody can delete a site or criterion its uncommitted rows refer to."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    assert _writer_checks_at_once(db)  # the tests' role is the cluster's superuser
    import_responses(db, write_csv([HEADER, *_rows(40, seed=3)]))
    other = create_engine(database_url)
    try:
        with other.connect() as connection:
            connection.execute(text("SET lock_timeout = '300ms'"))
            code = "92-nanterre" if table == "site" else "courtesy"
            with pytest.raises(OperationalError, match="lock timeout"):
                connection.execute(text(f"DELETE FROM {table} WHERE code = :c"), {"c": code})
    finally:
        other.dispose()
        db.rollback()


@postgres_only
def test_a_site_deleted_during_an_import_refuses_the_file(db, places, write_csv, database_url):
    """A site no row of the first chunks uses is deleted meanwhile: the chunk that needs it
    refuses the file, as the foreign key would have."""
    from sqlalchemy import create_engine, text

    rows = [row for row in _rows(60, seed=4) if row[2] == "92-nanterre"][:20]
    late = _rows(80, seed=8)
    rows += [row for row in late if row[2] == "974-st-denis"][:5]
    other = create_engine(database_url)

    def delete_reunion(_count: int) -> None:
        with other.begin() as connection:
            connection.execute(text("DELETE FROM site WHERE code = '974-st-denis'"))

    try:
        with pytest.raises(ImportRefused) as refused:
            import_responses(
                db, write_csv([HEADER, *rows]), chunk=20, progress=_once(delete_reunion)
            )
        db.rollback()
    finally:
        other.dispose()
    assert len(refused.value.errors) == 1
    assert "was deleted while the file was being imported" in refused.value.lines("en")[0]
    assert _count(db, Response) == 0


def _once(function):
    done = []

    def call(count: int) -> None:
        if not done:
            done.append(count)
            function(count)

    return call


@postgres_only
def test_the_row_checks_are_back_on_once_the_import_has_written(db, places, write_csv):
    from sqlalchemy.exc import IntegrityError

    import_responses(db, write_csv([HEADER, *_rows(10, seed=6)]))
    response = db.scalars(select(Response).limit(1)).one()
    db.add(Answer(response_id=response.id, criterion_id=999_999, rating=3))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


@postgres_only
def test_a_role_without_the_privilege_imports_with_the_row_checks(places, write_csv, database_url):
    """The application's role, neither superuser nor granted the parameter: the import
    keeps the triggers, and stores the same; granted it, the import checks at once."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    role = f"avis_app_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
        connection.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    url = make_url(database_url).set(username=role).render_as_string(hide_password=False)
    engine = create_engine(url)
    rows = _rows(300, seed=12)
    try:
        with Session(engine) as session:
            assert not _writer_checks_at_once(session)
            result = import_responses(session, write_csv([HEADER, *rows[:150]]))
            session.commit()
            assert result.created == 150
        with admin.connect() as connection:
            connection.execute(text(f"GRANT SET ON PARAMETER session_replication_role TO {role}"))
        with Session(engine) as session:
            assert _writer_checks_at_once(session)
            result = import_responses(session, write_csv([HEADER, *rows]))
            session.commit()
            assert (result.created, result.unchanged) == (150, 150)
            imported = _tallies(session)
            rebuild_tallies(session)
            assert _tallies(session) == imported
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(
                text(f"REVOKE SET ON PARAMETER session_replication_role FROM {role}")
            )
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
