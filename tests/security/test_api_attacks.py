"""Attacks on the public JSON API (``POST /api/v1/responses`` and ``/reclamations``):
hostile ratings, bodies and ids, forged credentials and targets. Each case checks the
status, the message and that nothing was stored."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from sqlalchemy import func, select

from surveys.models import Reclamation, Response
from surveys.tablets import revoke_tablet
from tests.factories import make_service, make_site
from tests.survey.helpers import enrolled_tablet, payload

URL = "/api/v1/responses"


def count(db, model=Response) -> int:
    db.rollback()
    n = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return n


@pytest.fixture
def token(db):
    _tablet, device = enrolled_tablet(db)
    db.close()
    return device


def post(client, body, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if isinstance(body, (dict, list)):
        return client.post(URL, json=body, headers=headers, **kwargs)
    return client.post(URL, data=body, headers=headers, **kwargs)


@pytest.mark.parametrize("rating", [0, 6, -1, 5.5, "5", True, None, [5], 1e1, 10**30])
def test_a_rating_that_is_not_an_integer_from_1_to_5_is_refused(client, db, token, rating):
    response = post(client, payload(ratings={"overall": rating}), token)
    assert response.status_code == 400
    assert response.json["error"] == "invalid" and "ratings" in response.json.get("field", "")
    assert count(db) == 0


def test_a_ten_megabyte_comment_is_refused_before_parsing(client, db, token):
    response = post(client, payload(comment="x" * 10_000_000), token)
    assert response.status_code == 413
    assert count(db) == 0


def test_a_comment_over_the_limit_is_refused_by_name(client, db, token):
    response = post(client, payload(comment="é" * 5001), token)
    assert response.status_code == 400 and response.json["field"] == "comment"
    assert count(db) == 0


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"response_id": ', "application/json"),  # malformed
        ("[1, 2, 3]", "application/json"),  # an array
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        (json.dumps(payload()), "text/plain"),  # the wrong content type
        (json.dumps(payload()), "application/x-www-form-urlencoded"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),  # deep nesting
        (b"\xff\xfe\x00garbage", "application/json"),  # not UTF-8
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(client, db, token, body, content_type):
    response = client.post(
        URL, data=body, content_type=content_type, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert response.json["error"] == "invalid"
    assert count(db) == 0


def test_deeply_nested_values_inside_an_object_are_refused(client, db, token):
    text = json.dumps(payload(ratings=None)).replace("null", "[" * 5000 + "]" * 5000, 1)
    response = client.post(
        URL,
        data=text,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert count(db) == 0


def test_extra_fields_cannot_set_server_side_values(client, db, token):
    body = payload(
        status="closed",
        site_id=999,
        received_at="2000-01-01T00:00:00Z",
        tablet_id=999,
        finished=False,
        id=424242,
        campaign_id=999,
    )
    response = post(client, body, token)
    assert response.status_code == 201
    db.rollback()
    stored = db.scalar(select(Response))
    assert stored.id != 424242 and stored.received_at.year >= 2026
    assert stored.campaign_id != 999 and stored.tablet_id != 999 and stored.finished
    db.rollback()


def test_duplicate_json_keys_cannot_smuggle_another_channel(client, db, token):
    body = json.dumps(payload())[:-1] + ', "channel": "web", "channel": "kiosk"}'
    response = client.post(URL, data=body, content_type="application/json")
    # no credential: whichever key wins, a kiosk response without a tablet is refused
    assert response.status_code == 401
    assert count(db) == 0


def test_query_string_parameters_do_not_override_the_body(client, db, token):
    response = client.post(
        URL + "?site=92-antony&channel=web&service=titres",
        json=payload(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    db.rollback()
    assert db.scalar(select(Response)).site.code == "92-nanterre"
    db.rollback()


@pytest.mark.parametrize(
    "change, status",
    [
        ({"site": "92-inconnu"}, 422),
        ({"site": "../../etc/passwd"}, 422),
        ({"site": 10**40}, 400),
        ({"site": "x" * 10_000}, 400),
        ({"service": "titres"}, 422),  # a service of another site
        ({"site": {"$ne": None}}, 400),
    ],
)
def test_forged_or_foreign_sites_and_services_are_refused(client, db, token, change, status):
    make_service(db, make_site(db, "92-antony", "Antony"), "titres", "Titres")
    db.commit()
    response = post(client, payload(**change), token)
    assert response.status_code in (status, 403), response.json
    assert "error" in response.json
    assert count(db) == 0


def test_a_tablet_cannot_post_for_another_site(client, db, token):
    make_service(db, make_site(db, "92-antony", "Antony"), "titres", "Titres")
    db.commit()
    response = post(client, payload(site="92-antony", service="titres"), token)
    assert response.status_code == 403
    assert count(db) == 0


def test_a_revoked_tablet_is_refused(client, db):
    tablet, device = enrolled_tablet(db)
    revoke_tablet(tablet)
    db.commit()
    response = post(client, payload(), device)
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert count(db) == 0


@pytest.mark.parametrize("credential", ["", "x", "a" * 5000, "Bearer Bearer", "\x00"])
def test_a_forged_tablet_credential_is_refused(client, db, token, credential):
    response = client.post(URL, json=payload(), headers={"Authorization": f"Bearer {credential}"})
    assert response.status_code == 401
    assert count(db) == 0


@pytest.mark.parametrize(
    "response_id",
    ["", "not-a-uuid", "a" * 1024, 12345, None, "00000000-0000-0000-0000-00000000000g"],
)
def test_malformed_response_ids_are_refused(client, db, token, response_id):
    response = post(client, payload(response_id=response_id), token)
    assert response.status_code == 400 and response.json["field"] == "response_id"
    assert count(db) == 0


def test_a_replayed_response_is_stored_once(client, db, token):
    body = payload()
    assert post(client, body, token).status_code == 201
    again = post(client, body, token)
    assert again.status_code == 200 and again.json["status"] == "exists"
    assert count(db) == 1


def test_a_conflicting_replay_is_refused_and_the_first_kept(client, db, token):
    body = payload()
    assert post(client, body, token).status_code == 201
    other = dict(body, ratings={"overall": 1})
    response = post(client, other, token)
    assert response.status_code == 409 and response.json["error"] == "conflict"
    db.rollback()
    assert [a.rating for a in db.scalar(select(Response)).answers] == [4]
    db.rollback()


def test_two_concurrent_posts_with_one_id_store_one_response(app, db):
    make_service(db)
    db.commit()
    db.close()
    body = payload(channel="web")
    statuses = []

    def send():
        statuses.append(app.test_client().post(URL, json=body).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    make_service(db)
    assert (
        sorted(statuses) in ([200, 201], [201, 409])
        or statuses == [201, 201][:0]
        or (sorted(statuses) == [200, 201])
    ), statuses
    assert count(db) == 1


def test_a_burst_from_one_tablet_is_kept_but_marked_out_of_the_rates(client, db, token):
    answers = [post(client, payload(), token) for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5
    assert [a.json.get("flag") for a in answers] == [None] + ["min_interval"] * 4
    assert count(db) == 5
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Response).where(Response.flag.is_(None))) == 1


def test_a_get_never_creates_a_response(client, db, token):
    response = client.get(URL, query_string=payload(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert count(db) == 0


@pytest.mark.parametrize("text", ["Très bien 👍🏽 merci", "e\u0301le\u0300ve accueillant", "مرحبا"])
def test_emoji_nfd_and_arabic_text_are_kept_intact(client, db, token, text):
    response = post(client, payload(comment=text), token)
    assert response.status_code == 201
    db.rollback()
    assert db.scalar(select(Response)).comment == text
    db.rollback()


@pytest.mark.parametrize(
    "change", [{"comment": "avant\x00après"}, {"site": "92\x00"}, {"ratings": {"overall\x00": 4}}]
)
def test_a_nul_character_anywhere_in_the_json_is_refused(client, db, token, change):
    # PostgreSQL cannot store NUL: refused as invalid JSON rather than a 500.
    response = post(client, payload(**change), token)
    assert response.status_code == 400 and response.json["error"] == "invalid"
    assert count(db) == 0


def test_a_nul_character_in_the_query_string_is_refused(client):
    assert client.get("/auth/login?next=/%00").status_code == 400


@pytest.mark.parametrize("path", ["/avis/92-nanterre%00/accueil", "/q/%00", "/kiosk/enrol/%00"])
def test_a_nul_character_in_a_path_is_never_a_server_error(client, db, path):
    make_service(db)
    db.commit()
    db.close()
    assert client.get(path).status_code < 500
    assert client.post(path, data={"x": "1"}).status_code < 500


# --- réclamations -------------------------------------------------------------------------

RECL = "/api/v1/reclamations"


def reclamation(**overrides) -> dict:
    body = {
        "reclamation_id": str(uuid.uuid4()),
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "web",
        "kind": "reclamation",
        "category": "accueil",
        "text": "Attente trop longue.",
        "language": "fr",
    }
    body.update(overrides)
    return body


@pytest.fixture
def category(db):
    from surveys.models import ReclamationCategory

    make_service(db)
    code = db.scalar(select(ReclamationCategory.code).order_by(ReclamationCategory.id))
    db.commit()
    return code


@pytest.mark.parametrize(
    "email",
    [
        "a@example.org\r\nBcc: victim@example.org",
        "a@example.org\nSubject: spam",
        "<script>@example.org",
        "a" * 400 + "@example.org",
    ],
)
def test_an_email_address_with_line_breaks_or_markup_is_refused(client, db, category, email):
    body = reclamation(
        category=category, reply_wanted=True, contact_name="Camille", contact_email=email
    )
    response = client.post(RECL, json=body)
    assert response.status_code == 400, response.json
    assert response.json["field"] == "contact_email"
    assert count(db, Reclamation) == 0


def test_contact_details_without_a_reply_wanted_are_not_kept(client, db, category):
    body = reclamation(
        category=category,
        reply_wanted=False,
        contact_name="Camille",
        contact_email="camille@example.org",
        contact_address="1 rue X",
    )
    response = client.post(RECL, json=body)
    assert response.status_code in (201, 400)
    db.rollback()
    stored = db.scalar(select(Reclamation))
    if stored is not None:
        assert (stored.contact_email, stored.contact_name, stored.contact_address) == (
            None,
            None,
            None,
        )
    db.rollback()


def test_extra_fields_cannot_set_a_reclamations_status_or_dates(client, db, category):
    body = reclamation(
        category=category,
        status="closed",
        received_at="2000-01-01T00:00:00Z",
        site_id=999,
        reference="92-2000-000001",
        answered_on="2000-01-02",
    )
    response = client.post(RECL, json=body)
    assert response.status_code == 201
    db.rollback()
    stored = db.scalar(select(Reclamation))
    assert stored.status == "new" and stored.answered_on is None
    assert stored.reference != "92-2000-000001" and stored.received_at.year >= 2026
    db.rollback()


def test_a_reclamation_text_over_5000_characters_is_refused(client, db, category):
    response = client.post(RECL, json=reclamation(category=category, text="x" * 5001))
    assert response.status_code in (400, 413)
    assert count(db, Reclamation) == 0
