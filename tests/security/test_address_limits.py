"""The per-address limits of the public API (60 responses, 20 réclamations a minute) spare
only a tablet's valid credential on a kiosk submission: any other ``Authorization`` header
is just a header, and a tablet's token on a web submission does not lift the web's limit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from surveys.models import Reclamation, Response, Tablet
from surveys.tablets import revoke_tablet
from tests.factories import make_service
from tests.survey.helpers import enrolled_tablet, payload

FORGED = {"Authorization": "Bearer x"}


def count(db, model) -> int:
    db.rollback()
    n = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return n


def reclamation(**overrides) -> dict:
    body = {
        "reclamation_id": str(uuid.uuid4()),
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "web",
        "kind": "reclamation",
        "category": "reception",
        "text": "Personne à l'accueil.",
        "reply_wanted": True,
        "contact_email": "victime@example.org",
    }
    body.update(overrides)
    return body


@pytest.fixture
def service(db):
    make_service(db)
    db.commit()
    db.close()


@pytest.mark.parametrize("headers", [FORGED, {"Authorization": "Bearer " + "y" * 43}])
def test_a_made_up_bearer_token_does_not_lift_the_web_response_limit(client, db, service, headers):
    statuses = [
        client.post("/api/v1/responses", json=payload(channel="web"), headers=headers).status_code
        for _ in range(62)
    ]
    assert statuses[:60] == [201] * 60
    assert statuses[60:] == [429, 429]
    assert count(db, Response) == 60


def test_a_made_up_bearer_token_does_not_lift_the_reclamation_limit(client, db, service):
    statuses = [
        client.post("/api/v1/reclamations", json=reclamation(), headers=FORGED).status_code
        for _ in range(22)
    ]
    assert statuses[:20] == [201] * 20
    assert statuses[20:] == [429, 429]
    assert count(db, Reclamation) == 20


def test_a_made_up_kiosk_cookie_does_not_lift_the_limit_either(client, db, service):
    client.set_cookie("avis_tablet", "forged")
    for _ in range(60):
        client.post("/api/v1/responses", json=payload(channel="kiosk"))
    refused = client.post("/api/v1/responses", json=payload(channel="kiosk"))
    assert refused.status_code == 429 and refused.json["error"] == "rate_limited"
    assert count(db, Response) == 0


def test_a_real_tablets_token_on_web_submissions_is_limited_like_any_web_post(client, db):
    _tablet, token = enrolled_tablet(db)
    db.close()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [
        client.post("/api/v1/responses", json=payload(channel="web"), headers=headers).status_code
        for _ in range(61)
    ]
    assert statuses[60] == 429
    assert count(db, Response) == 60


def test_a_tablet_with_its_valid_token_keeps_only_its_own_limits(client, db):
    _tablet, token = enrolled_tablet(db)
    db.close()
    for _ in range(60):  # the address's budget, spent by someone else at the same address
        client.post("/api/v1/responses", json=payload(channel="web"))
    assert client.post("/api/v1/responses", json=payload(channel="web")).status_code == 429
    answer = client.post(
        "/api/v1/responses", json=payload(), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201


def test_a_revoked_tablets_token_does_not_lift_the_limits(client, db):
    tablet, token = enrolled_tablet(db)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/responses", json=payload(), headers=headers).status_code == 201
    revoke_tablet(db.get(Tablet, tablet.id))
    db.commit()
    db.close()
    statuses = [
        client.post("/api/v1/responses", json=payload(), headers=headers).status_code
        for _ in range(62)
    ]
    # At most the first is let through unlimited, by a directory loaded before the
    # revocation: its write refuses it and reloads the directory.
    first_refusal = statuses.index(429)
    assert first_refusal in (60, 61) and set(statuses[:first_refusal]) == {401}
    assert count(db, Response) == 1
    kiosk = reclamation(channel="kiosk", contact_email=None, reply_wanted=False)
    statuses = [
        client.post(
            "/api/v1/reclamations",
            json={**kiosk, "reclamation_id": str(uuid.uuid4())},
            headers=headers,
        ).status_code
        for _ in range(21)
    ]
    assert statuses == [401] * 20 + [429]
    assert count(db, Reclamation) == 0
