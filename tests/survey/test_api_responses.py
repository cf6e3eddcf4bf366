"""POST /api/v1/responses: strict validation, idempotency, credentials by channel."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys.models import Answer, RatingTally, RefusedSubmission, Response, Tablet
from tests.factories import make_service, make_site
from tests.survey.helpers import at, enrolled_tablet, payload


def count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Response))


def post(client, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/responses", json=body, headers=headers)


def test_kiosk_response_is_stored_with_its_tablet_and_answers(client, db):
    tablet, token = enrolled_tablet(db)
    body = payload(ratings={"overall": 5, "courtesy": 4}, comment="Très bon accueil")
    answer = post(client, body, token)
    assert answer.status_code == 201, answer.json
    assert answer.json == {"response_id": body["response_id"], "status": "created"}
    stored = db.scalar(select(Response).where(Response.response_id == body["response_id"]))
    assert stored.tablet_id == tablet.id and stored.channel == "kiosk"
    assert stored.comment == "Très bon accueil"
    assert sorted(a.rating for a in stored.answers) == [4, 5]
    assert stored.questionnaire_id is not None


def test_same_response_twice_answers_200_and_stores_once(client, db):
    _tablet, token = enrolled_tablet(db)
    body = payload()
    assert post(client, body, token).status_code == 201
    again = post(client, body, token)
    assert again.status_code == 200 and again.json["status"] == "exists"
    assert count(db) == 1


def test_same_id_with_other_content_is_a_conflict_and_leaves_the_stored_one(client, db):
    _tablet, token = enrolled_tablet(db)
    body = payload(ratings={"overall": 5})
    assert post(client, body, token).status_code == 201
    changed = dict(body, ratings={"overall": 1})
    answer = post(client, changed, token)
    assert answer.status_code == 409 and answer.json["field"] == "response_id"
    assert db.scalar(select(Answer.rating)) == 5


@pytest.mark.parametrize("bad", ["5", 5.5, True, None, 0, 6, [5]])
def test_a_rating_must_be_a_json_integer_from_1_to_5(client, db, bad):
    _tablet, token = enrolled_tablet(db)
    answer = post(client, payload(ratings={"overall": bad}), token)
    assert answer.status_code == 400
    assert answer.json["error"] == "invalid" and answer.json["field"] == "ratings.overall"
    assert count(db) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"response_id": "not-a-uuid"}, "response_id"),
        ({"response_id": 12}, "response_id"),
        ({"site": ""}, "site"),
        ({"channel": "paper"}, "channel"),
        ({"language": "de"}, "language"),
        ({"submitted_at": "yesterday"}, "submitted_at"),
        ({"submitted_at": "2026-11-23T10:00:00"}, "submitted_at"),
        ({"ratings": {}}, "ratings"),
        ({"ratings": [5]}, "ratings"),
        ({"comment": 12}, "comment"),
        ({"comment": "x" * 2001}, "comment"),
    ],
)
def test_each_invalid_field_is_named_in_the_error(client, db, change, field):
    _tablet, token = enrolled_tablet(db)
    answer = post(client, payload(**change), token)
    assert answer.status_code == 400
    assert answer.json["field"] == field
    assert count(db) == 0


def test_body_must_be_a_json_object(client, db):
    _tablet, token = enrolled_tablet(db)
    for body in ([1, 2], "text", 3):
        assert post(client, body, token).status_code == 400
    raw = client.post("/api/v1/responses", data="{not json", content_type="application/json")
    assert raw.status_code == 400 and raw.json["field"] == "body"


def test_extra_fields_are_ignored(client, db):
    _tablet, token = enrolled_tablet(db)
    assert post(client, payload(device="ipad", finished=True), token).status_code == 201


def test_unknown_site_service_or_criterion_is_refused_by_name(client, db):
    _tablet, token = enrolled_tablet(db)
    cases = [
        (payload(site="99-nowhere"), "site"),
        (payload(service="nope"), "service"),
        (payload(ratings={"parking": 4}), "ratings.parking"),
        (payload(ratings={"effort": 2}), "ratings.effort"),  # not in the default questionnaire
    ]
    for body, field in cases:
        answer = post(client, body, token)
        assert answer.status_code == 422, body
        assert answer.json["field"] == field
    assert count(db) == 0


def test_a_time_in_the_future_too_old_or_before_enrolment_is_refused(client, db):
    _tablet, token = enrolled_tablet(db)
    assert post(client, payload(submitted_at=at(-3600)), token).json["field"] == "submitted_at"
    assert post(client, payload(submitted_at=at(3600)), token).json["field"] == "submitted_at"
    assert post(client, payload(submitted_at=at(20 * 86400)), token).status_code == 400
    assert count(db) == 0


def test_kiosk_submission_without_a_valid_credential_is_refused(client, db):
    enrolled_tablet(db)
    assert post(client, payload()).status_code == 401
    assert post(client, payload(), "forged-token").status_code == 401
    assert count(db) == 0


def test_revoked_tablet_cannot_submit(client, db):
    tablet, token = enrolled_tablet(db)
    db.get(Tablet, tablet.id).revoked_at = db.get(Tablet, tablet.id).enrolled_at
    db.commit()
    assert post(client, payload(), token).status_code == 401


def test_tablet_cannot_submit_for_another_site(client, db):
    _tablet, token = enrolled_tablet(db)
    other = make_site(db, code="92-antony", name="Sous-préfecture d'Antony")
    make_service(db, other, code="accueil")
    db.commit()
    answer = post(client, payload(site="92-antony"), token)
    assert answer.status_code == 403 and answer.json["field"] == "site"
    assert count(db) == 0


@pytest.mark.app_config(AVIS_TABLET_MIN_INTERVAL_SECONDS=5)
def test_two_responses_closer_than_the_interval_are_both_kept_the_second_marked(client, db):
    # Two usagers in quick succession are never thrown away: the unusual one is marked,
    # shown in the back office and left out of the rates.
    tablet, token = enrolled_tablet(db)
    assert post(client, payload(submitted_at=at(10)), token).status_code == 201
    close = post(client, payload(submitted_at=at(8)), token)
    assert close.status_code == 201 and close.json["flag"] == "min_interval"
    later = post(client, payload(submitted_at=at(2)), token)
    assert later.status_code == 201 and "flag" not in later.json
    assert count(db) == 3
    db.expire_all()
    assert sorted(db.scalars(select(Response.flag)).all(), key=str) == [
        None,
        None,
        "min_interval",
    ]
    assert db.scalar(select(RefusedSubmission)) is None
    tallied = db.scalar(select(func.sum(RatingTally.r4)))
    assert tallied == 2  # the marked one is not in the rates


@pytest.mark.app_config(AVIS_TABLET_MIN_INTERVAL_SECONDS=5)
def test_an_offline_flush_of_an_hour_of_answers_is_accepted_at_once(client, db):
    tablet, token = enrolled_tablet(db)
    db.get(Tablet, tablet.id).enrolled_at -= timedelta(days=1)
    db.commit()
    # Sixty answers given a minute apart while the network was down, all sent now.
    statuses = [
        post(client, payload(submitted_at=at(3600 - 60 * i)), token).status_code for i in range(60)
    ]
    assert statuses == [201] * 60
    assert count(db) == 60


@pytest.mark.app_config(AVIS_TABLET_MIN_INTERVAL_SECONDS=0, AVIS_TABLET_HOURLY_LIMIT=3)
def test_hourly_ceiling_is_per_tablet_not_per_address(client, db):
    _tablet, token = enrolled_tablet(db)
    _other, other_token = enrolled_tablet(db, name="Tablette étage")
    statuses = [post(client, payload(submitted_at=at(50 - i)), token).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 422]  # decided and counted: the tablet lets it go
    assert post(client, payload(), other_token).status_code == 201
    db.expire_all()
    assert db.scalar(select(RefusedSubmission.reason)) == "hourly_limit"


def test_qr_submission_needs_the_signed_token_of_its_site_and_service(client, db, app):
    make_service(db)
    make_service(db, code="etrangers", name="Bureau des étrangers")
    db.commit()
    from kiosk.public.tokens import make_survey_token

    with app.app_context():
        token = make_survey_token("92-nanterre", "accueil")
    body = payload(channel="qr")
    assert post(client, body).json["field"] == "token"
    assert post(client, dict(body, token=token[:-2] + "xx")).status_code == 403
    assert post(client, dict(body, token=token, service="etrangers")).status_code == 403
    assert post(client, dict(body, token=token)).status_code == 201
    assert count(db) == 1


def test_web_submission_needs_no_credential(client, db):
    make_service(db)
    db.commit()
    answer = post(client, payload(channel="web", language="ar", response_id=str(uuid.uuid4())))
    assert answer.status_code == 201
    assert db.scalar(select(Response.language)) == "ar"


def test_get_never_creates_a_response(client, db):
    make_service(db)
    db.commit()
    assert client.get("/api/v1/responses").status_code == 405
    assert count(db) == 0


def test_the_web_address_limit_answers_json_429_and_leaves_tablets_alone(client, db):
    _tablet, token = enrolled_tablet(db)
    statuses = [post(client, payload(channel="web")).status_code for _ in range(60)]
    assert statuses == [201] * 60
    refused = post(client, payload(channel="web"))
    assert refused.status_code == 429
    assert refused.json["error"] == "rate_limited" and refused.json["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # A tablet at the same address has its own limits, not the address's.
    assert post(client, payload(), token).status_code == 201
    assert count(db) == 61
