"""An agent of Antony cannot read, answer, assign, close or guess Nanterre's réclamations;
QR tokens that are tampered, foreign or for a retired service store nothing; a spoofed
X-Forwarded-For does not lift the per-address limit of the web survey API."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from kiosk.public.tokens import SURVEY_SALT, make_survey_token
from surveys.models import Reclamation, ReclamationEvent, Response, Service
from tests.survey.helpers import payload

from .conftest import World, login_as


def count(db, model) -> int:
    db.rollback()
    n = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return n


@pytest.mark.parametrize(
    "method, suffix, data",
    [
        ("GET", "", None),
        ("POST", "/reply", {"reply_text": "Réponse", "reply_channel": "courriel"}),
        ("POST", "/assign", {"service": "1"}),
        ("POST", "/close", {}),
    ],
)
def test_an_agent_of_antony_cannot_touch_nanterres_reclamation(
    app, client, db, world: World, method, suffix, data
):
    login_as(client, world, "agent_elsewhere")
    before = count(db, ReclamationEvent)
    response = client.open(
        f"/backoffice/reclamations/{world.ids['rec_id']}{suffix}", method=method, data=data
    )
    assert response.status_code == 404
    assert "Attente trop longue" not in response.text
    assert "camille@example.org" not in response.text
    assert count(db, ReclamationEvent) == before
    db.rollback()
    assert db.get(Reclamation, world.ids["rec_id"]).status == "new"
    db.rollback()


def test_guessing_ids_tells_nothing_about_other_sites(client, world: World):
    login_as(client, world, "agent_elsewhere")
    other_site = client.get(f"/backoffice/reclamations/{world.ids['rec_id']}")
    missing = client.get("/backoffice/reclamations/999999")
    assert other_site.status_code == missing.status_code == 404
    assert other_site.text == missing.text
    own = client.get(f"/backoffice/reclamations/{world.antony_reclamation_id}")
    assert own.status_code == 200


def test_the_inbox_of_an_agent_of_antony_lists_only_antony(client, world: World):
    login_as(client, world, "agent_elsewhere")
    inbox = client.get("/backoffice/reclamations")
    assert inbox.status_code == 200
    assert world.antony_reference in inbox.text
    assert world.ids["reference"] not in inbox.text


def test_an_agent_cannot_export_results_or_personal_data(client, world: World):
    login_as(client, world, "agent_elsewhere")
    for path in [
        "/backoffice/dashboard/export?format=csv",
        "/backoffice/donnees-personnelles",
        "/api/v1/report",
    ]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "camille@example.org" not in response.text


def test_a_viewer_cannot_write_reclamations(client, db, world: World):
    login_as(client, world, "viewer")
    before = count(db, Reclamation)
    response = client.post("/backoffice/reclamations/saisie", data={"text": "x"})
    assert response.status_code == 403
    assert count(db, Reclamation) == before


# --- QR tokens ----------------------------------------------------------------------------


def qr_body(app, token: str, **overrides) -> dict:
    return payload(channel="qr", token=token, **overrides)


@pytest.mark.parametrize("kind", ["tampered", "foreign key", "other service", "empty", "huge"])
def test_a_bad_qr_token_stores_nothing(app, client, db, world: World, kind):
    with app.test_request_context():
        good = make_survey_token("92-nanterre", "accueil")
        other = make_survey_token("92-antony", "titres")
    token = {
        "tampered": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "foreign key": URLSafeSerializer("another-prefecture", salt=SURVEY_SALT).dumps(
            ["92-nanterre", "accueil"]
        ),
        "other service": other,
        "empty": "",
        "huge": "A" * 100_000,
    }[kind]
    before = count(db, Response)
    response = client.post("/api/v1/responses", json=qr_body(app, token))
    assert response.status_code in (403, 413)
    if response.status_code == 403:
        assert response.json["error"] == "forbidden"
    assert count(db, Response) == before


def test_a_qr_token_of_a_retired_service_stores_nothing(app, client, db, world: World):
    db.get(Service, world.ids["service_id"]).active = False
    db.commit()
    db.close()
    with app.test_request_context():
        token = make_survey_token("92-nanterre", "accueil")
    before = count(db, Response)
    response = client.post("/api/v1/responses", json=qr_body(app, token))
    assert response.status_code == 422
    assert count(db, Response) == before
    page = client.get(f"/q/{token}")
    assert page.status_code in (404, 410, 200)
    assert page.status_code < 500


def test_a_spoofed_x_forwarded_for_does_not_lift_the_web_limit(client, db, world: World):
    statuses = []
    for n in range(62):
        response = client.post(
            "/api/v1/responses",
            json=payload(channel="web"),
            headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"},
        )
        statuses.append(response.status_code)
    assert statuses[:60].count(201) == 60
    assert statuses[60:] == [429, 429]
    assert count(db, Response) == 61  # the 60 plus the world's own response
