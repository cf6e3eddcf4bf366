"""The per-process reference cache (surveys.directory) never serves stale rows: every change
to a site, service, campaign, questionnaire or tablet is seen at the very next response."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from surveys.campaigns import save_campaign
from surveys.directory import directory
from surveys.models import (
    QuestionnaireItem,
    RatingTally,
    ReferenceStamp,
    Response,
    Service,
    Tablet,
    bump_reference_stamp,
)
from surveys.questionnaires import create_criterion
from surveys.response_writes import NewResponse, insert_responses
from surveys.sites import update_service
from surveys.tablets import mark_seen_by_id, revoke_tablet
from tests.factories import criterion, default_questionnaire, make_service
from tests.survey.helpers import at, enrolled_tablet, payload


def post(client, body, token):
    return client.post("/api/v1/responses", json=body, headers={"Authorization": f"Bearer {token}"})


def stamp(db) -> int:
    db.expire_all()
    return db.scalar(select(ReferenceStamp.stamp))


def stored(db, response_id: str) -> Response:
    db.expire_all()
    return db.scalar(select(Response).where(Response.response_id == response_id))


def test_a_tablet_revoked_after_it_was_cached_is_refused_at_the_next_response(client, db):
    tablet, token = enrolled_tablet(db)
    assert post(client, payload(), token).status_code == 201  # the directory is now cached
    revoke_tablet(db.get(Tablet, tablet.id))
    db.commit()
    assert post(client, payload(), token).status_code == 401


def test_a_campaign_created_after_the_cache_was_filled_gets_the_next_response(client, db):
    _tablet, token = enrolled_tablet(db)
    first = payload(submitted_at=at(120))  # a tablet's responses are 5 s apart at least
    assert post(client, first, token).status_code == 201
    assert stored(db, first["response_id"]).campaign_id is None
    service = db.scalar(select(Service))
    today = datetime.now(UTC).date()
    campaign = save_campaign(
        db,
        None,
        code="printemps",
        name="Vague de printemps",
        questionnaire_id=default_questionnaire(db).id,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        target_n=100,
        target_rate=0.8,
        scopes=[(service.site_id, service.id)],
    )
    db.commit()
    second = payload()
    assert post(client, second, token).status_code == 201
    assert stored(db, second["response_id"]).campaign_id == campaign.id


def test_a_service_closed_after_the_cache_was_filled_refuses_the_next_response(client, db):
    _tablet, token = enrolled_tablet(db)
    assert post(client, payload(submitted_at=at(120)), token).status_code == 201
    service = db.scalar(select(Service))
    update_service(service, name=service.name, active=False)
    db.commit()
    answer = post(client, payload(), token)
    assert answer.status_code == 422 and answer.json["error"] == "inactive"


def test_a_criterion_added_to_the_questionnaire_is_accepted_at_the_next_response(client, db):
    _tablet, token = enrolled_tablet(db)
    earlier = payload(ratings={"overall": 5}, submitted_at=at(120))
    assert post(client, earlier, token).status_code == 201
    new = create_criterion(db, code="proprete", labels={"fr": "Propreté", "en": "Cleanliness"})
    questionnaire = default_questionnaire(db)
    db.add(QuestionnaireItem(questionnaire=questionnaire, criterion=new, position=99))
    db.commit()
    body = payload(ratings={"overall": 5, "proprete": 4})
    assert post(client, body, token).status_code == 201
    assert {a.criterion_id for a in stored(db, body["response_id"]).answers} == {
        criterion(db, "overall").id,
        new.id,
    }


def test_the_stamp_changes_with_reference_rows_but_not_with_a_tablet_seen(db):
    tablet, _token = enrolled_tablet(db)
    before = stamp(db)
    mark_seen_by_id(db, tablet.id, minimum_gap_seconds=0)
    row = db.get(Tablet, tablet.id)
    row.last_seen_at = datetime.now(UTC)
    db.commit()
    assert stamp(db) == before
    row = db.get(Tablet, tablet.id)
    row.name = "Tablette renommée"  # a name is not part of the credential check
    db.commit()
    assert stamp(db) == before
    make_service(db, code="titres", name="Titres de séjour")
    db.commit()
    assert stamp(db) != before


def test_plain_sql_changes_are_seen_once_they_write_a_new_stamp(db):
    tablet, _token = enrolled_tablet(db)
    assert directory(db).tablet(db.get(Tablet, tablet.id).token_hash) is not None
    db.commit()
    db.execute(update(Tablet).values(revoked_at=datetime.now(UTC)))
    db.commit()
    token_hash = db.get(Tablet, tablet.id).token_hash
    # Without a new stamp the cache cannot know (documented: plain SQL must bump it).
    assert directory(db).tablet(token_hash) is not None
    db.commit()
    bump_reference_stamp(db)
    db.commit()
    assert directory(db).tablet(token_hash) is None


def test_a_response_already_stored_is_skipped_without_breaking_the_transaction(db):
    service = make_service(db)
    db.commit()
    when = datetime.now(UTC)
    row = NewResponse(
        response_id="7d3f2c1e-1111-4a5b-9c8d-000000000001",
        site_id=service.site_id,
        service_id=service.id,
        channel="web",
        language="fr",
        submitted_at=when,
        questionnaire_id=default_questionnaire(db).id,
        ratings={criterion(db, "overall").id: 5},
    )
    assert list(insert_responses(db, [row], skip_stored=True)) == [row.response_id]
    assert insert_responses(db, [row], skip_stored=True) == {}
    db.commit()  # still usable: nothing was refused by the database
    assert len(stored(db, row.response_id).answers) == 1
    tallied = db.scalar(select(func.sum(RatingTally.r5)))
    assert tallied == 1  # the skipped copy was not counted twice
