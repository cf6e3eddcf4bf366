"""POST /api/v1/reclamations: credentials, validation, idempotency, the reference."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from kiosk.public.tokens import make_survey_token
from surveys.models import Reclamation


def _body(**changes) -> dict:
    body = {
        "reclamation_id": str(uuid.uuid4()),
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "web",
        "language": "fr",
        "kind": "reclamation",
        "category": "appointment",
        "text": "Aucun rendez-vous disponible depuis un mois.",
    }
    body.update(changes)
    return body


def _count(db) -> int:
    count = db.scalar(select(func.count(Reclamation.id)))
    db.rollback()
    return count


def test_created_then_exists_then_conflict(client, db, places):
    body = _body()
    first = client.post("/api/v1/reclamations", json=body)
    assert first.status_code == 201
    assert (
        first.json["reference"]
        == "92-" + str(db.scalar(select(Reclamation.received_on)).year) + "-000001"
    )
    db.rollback()
    again = client.post("/api/v1/reclamations", json=body)
    assert again.status_code == 200
    assert again.json["reference"] == first.json["reference"]
    assert again.json["status"] == "exists"
    other = client.post("/api/v1/reclamations", json={**body, "text": "Autre chose"})
    assert other.status_code == 409
    assert other.json["field"] == "reclamation_id"
    assert _count(db) == 1


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"text": ""}, 400, "text"),
        ({"text": "é" * 5001}, 400, "text"),
        ({"text": 12}, 400, "text"),
        ({"reclamation_id": "not-a-uuid"}, 400, "reclamation_id"),
        ({"category": "unknown"}, 422, "category"),
        ({"site": "75-paris"}, 422, "site"),
        ({"kind": "plainte"}, 422, "kind"),
        ({"channel": "courrier"}, 400, "channel"),
        ({"reply_wanted": "yes"}, 400, "reply_wanted"),
        ({"contact_email": "a@example.org"}, 400, "reply_wanted"),
        (
            {"reply_wanted": True, "contact_email": "a@example.org\nBcc: b@example.org"},
            400,
            "contact_email",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, db, places, changes, status, field):
    answer = client.post("/api/v1/reclamations", json=_body(**changes))
    assert answer.status_code == status
    assert answer.json["field"] == field
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"site": "75-paris"}, "Unknown site."),
        ({"text": ""}, "The text is required."),
        ({"reclamation_id": "not-a-uuid"}, "reclamation_id must be a UUID."),
        ({"channel": "courrier"}, "channel must be kiosk, qr, web."),
        (
            {"contact_email": "a@example.org"},
            "Contact details are kept only when a reply is requested.",
        ),
    ],
)
def test_refusals_are_in_english(client, db, places, changes, message):
    answer = client.post("/api/v1/reclamations", json=_body(**changes))
    assert answer.json["message"] == message


def test_ten_megabyte_body_is_refused_with_413(client, db, places):
    answer = client.post("/api/v1/reclamations", json=_body(text="x" * 10_000_000))
    assert answer.status_code == 413
    assert _count(db) == 0


def test_kiosk_needs_its_tablet_and_takes_its_service(client, db, places, tablet_token):
    refused = client.post("/api/v1/reclamations", json=_body(channel="kiosk"))
    assert refused.status_code == 401
    elsewhere = client.post(
        "/api/v1/reclamations",
        json=_body(channel="kiosk", site="92-antony"),
        headers={"Authorization": f"Bearer {tablet_token}"},
    )
    assert elsewhere.status_code == 403
    stored = client.post(
        "/api/v1/reclamations",
        json=_body(channel="kiosk", service=None),
        headers={"Authorization": f"Bearer {tablet_token}"},
    )
    assert stored.status_code == 201
    rec = db.scalar(select(Reclamation))
    assert (rec.channel, rec.service.code) == ("kiosk", "accueil")


def test_qr_needs_the_token_of_that_service(app, client, db, places):
    with app.test_request_context():
        token = make_survey_token("92-nanterre", "etrangers")
    wrong = client.post("/api/v1/reclamations", json=_body(channel="qr", token=token))
    assert wrong.status_code == 403
    right = client.post(
        "/api/v1/reclamations", json=_body(channel="qr", service="etrangers", token=token)
    )
    assert right.status_code == 201


def test_the_path_is_described_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/reclamations"]["post"]
    assert {"201", "200", "409", "413"} <= set(post["responses"])
    assert "ReclamationSubmission" in spec["components"]["schemas"]
