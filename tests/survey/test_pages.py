"""The usager's pages: tablet enrolment, kiosk page, QR and web surveys (no browser)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk.tablet.device import COOKIE
from surveys.models import Response, Tablet
from surveys.tablets import register_tablet
from tests.factories import make_service
from tests.survey.helpers import enrolled_tablet


def responses(db) -> list[Response]:
    db.expire_all()
    return db.scalars(select(Response)).all()


def survey_path(app, site="92-nanterre", service="accueil") -> str:
    from kiosk.public.tokens import survey_url

    with app.app_context():
        return survey_url(site, service).removeprefix(app.config["AVIS_BASE_URL"])


def test_enrolment_link_binds_the_tablet_once_with_an_httponly_cookie(client, db):
    tablet, code = register_tablet(db, make_service(db), "Tablette hall")
    db.commit()
    page = client.get(f"/kiosk/enrol/{code}")
    assert page.status_code == 200 and b"Enregistrer cette tablette" in page.data
    db.expire_all()
    assert db.get(Tablet, tablet.id).enrolled_at is None  # a GET consumes nothing
    db.rollback()  # the test's session must not hold the SQLite write lock
    answer = client.post(f"/kiosk/enrol/{code}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/kiosk/")
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    db.expire_all()
    assert db.get(Tablet, tablet.id).enrolled_at is not None
    db.rollback()
    assert client.get("/kiosk/").status_code == 200
    second = client.post(f"/kiosk/enrol/{code}")
    assert second.status_code == 400 and "expiré".encode() in second.data


def test_expired_enrolment_code_is_refused(client, db):
    tablet, code = register_tablet(db, make_service(db), "Tablette", valid_minutes=-1)
    db.commit()
    assert client.post(f"/kiosk/enrol/{code}").status_code == 400
    db.expire_all()
    assert db.get(Tablet, tablet.id).token_hash is None


def test_unregistered_or_revoked_tablet_sees_a_clear_page(client, db):
    page = client.get("/kiosk/")
    assert page.status_code == 403
    assert "pas enregistrée".encode() in page.data
    tablet, token = enrolled_tablet(db)
    client.set_cookie(COOKIE, token)
    assert client.get("/kiosk/").status_code == 200
    db.get(Tablet, tablet.id).revoked_at = db.get(Tablet, tablet.id).enrolled_at
    db.commit()
    assert client.get("/kiosk/").status_code == 403


@pytest.mark.app_config(
    AVIS_KIOSK_IDLE_SECONDS=45, AVIS_KIOSK_WARNING_SECONDS=25, AVIS_KIOSK_THANKS_SECONDS=7
)
def test_kiosk_page_carries_its_timeouts_and_codes_as_data(client, db):
    _tablet, token = enrolled_tablet(db)
    client.set_cookie(COOKIE, token)
    html = client.get("/kiosk/").get_data(as_text=True)
    for attribute in (
        'data-idle="45"',
        'data-warning="25"',
        'data-thanks="7"',
        'data-site="92-nanterre"',
        'data-service="accueil"',
        'data-first="overall"',
    ):
        assert attribute in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline code


def test_kiosk_starts_in_french_whatever_the_browser_says(client, db):
    _tablet, token = enrolled_tablet(db)
    client.set_cookie(COOKIE, token)
    html = client.get("/kiosk/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    arabic = client.get("/kiosk/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic


def test_service_worker_is_served_with_a_scope_covering_the_kiosk(client):
    answer = client.get("/kiosk/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Service-Worker-Allowed"] == "/kiosk/"


def test_qr_survey_opens_in_the_phone_language_and_stores_nothing_on_get(client, db, app):
    make_service(db)
    db.commit()
    path = survey_path(app)
    html = client.get(path, headers={"Accept-Language": "ar,fr;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    client.get(path)
    client.head(path)
    assert responses(db) == []


def test_qr_survey_post_stores_a_qr_response_once(client, db, app):
    make_service(db)
    db.commit()
    path = survey_path(app)
    html = client.get(path + "?lang=es").get_data(as_text=True)
    response_id = re.search(r'name="response_id" value="([^"]+)"', html).group(1)
    form = {
        "response_id": response_id,
        "rating-overall": "5",
        "rating-courtesy": "3",
        "comment": "  Rápido  ",
    }
    first = client.post(path, data=form)
    assert first.status_code == 303 and "/merci" in first.headers["Location"]
    assert client.post(path, data=form).status_code == 303  # a double tap stores once
    [stored] = responses(db)
    assert (stored.channel, stored.language, stored.comment) == ("qr", "es", "Rápido")
    assert sorted(a.rating for a in stored.answers) == [3, 5]


def test_qr_survey_sent_again_seconds_later_is_the_same_response(client, db, app):
    # The form's time is the server's time of receipt: a tap repeated on a slow network
    # arrives seconds after the first, and must not be refused as another response.
    make_service(db)
    db.commit()
    path = survey_path(app)
    html = client.get(path).get_data(as_text=True)
    response_id = re.search(r'name="response_id" value="([^"]+)"', html).group(1)
    form = {"response_id": response_id, "rating-overall": "4", "comment": "Bien"}
    assert client.post(path, data=form).status_code == 303
    [stored] = responses(db)
    stored.submitted_at = stored.submitted_at - timedelta(seconds=20)
    db.commit()
    again = client.post(path, data=form)
    assert again.status_code == 303 and "/merci" in again.headers["Location"]
    changed = client.post(path, data=form | {"rating-overall": "1"})
    # Other content under the same id changes nothing, and the usager is told so.
    assert changed.status_code == 303 and "deja=1" in changed.headers["Location"]
    assert "déjà enregistré" in client.get(changed.headers["Location"]).get_data(as_text=True)
    [kept] = responses(db)
    assert [a.rating for a in kept.answers] == [4]


def test_qr_survey_without_any_rating_asks_for_one(client, db, app):
    make_service(db)
    db.commit()
    answer = client.post(survey_path(app), data={"response_id": "x", "comment": "rien"})
    assert answer.status_code == 400
    assert b"au moins une note" in answer.data
    assert responses(db) == []


def test_tampered_qr_token_shows_a_friendly_page(client, db, app):
    make_service(db)
    db.commit()
    path = survey_path(app)
    for bad in (path[:-3] + "abc", "/q/WyI5Mi1uYW50ZXJyZSIsImFjY3VlaWwiXQ", "/q/%00%ff"):
        answer = client.get(bad)
        assert answer.status_code == 404
        assert b"pas valable" in answer.data
        assert client.post(bad, data={"rating-overall": "5"}).status_code == 404
    assert responses(db) == []


def test_web_survey_lets_the_usager_choose_site_and_service(client, db):
    make_service(db, code="etrangers", name="Bureau des étrangers")
    db.commit()
    page = client.get("/avis").get_data(as_text=True)
    assert "Bureau des étrangers" in page
    chosen = client.get("/avis?service=92-nanterre/etrangers")
    assert chosen.status_code == 302
    target = chosen.headers["Location"].split("?")[0]
    answer = client.post(
        target, data={"response_id": "8d6f7e3c-1b51-4a52-9e3a-0c8b2f1e6d44", "rating-overall": "2"}
    )
    assert answer.status_code == 303
    [stored] = responses(db)
    assert stored.channel == "web" and stored.service.code == "etrangers"


def test_web_survey_of_an_unknown_service_is_not_found(client, db):
    assert client.get("/avis/92-nanterre/nope").status_code == 404
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_survey_form_is_protected_against_cross_site_posts(client, db, app):
    make_service(db)
    db.commit()
    answer = client.post(survey_path(app), data={"rating-overall": "5"})
    assert answer.status_code == 400
    assert responses(db) == []


def test_star_labels_read_with_the_punctuation_of_each_language(client, db, app):
    make_service(db)
    db.commit()
    english = client.get(survey_path(app) + "?lang=en").get_data(as_text=True)
    assert "1 out of 5: Very dissatisfied" in english and "5 out of 5: Very satisfied" in english
    assert " : " not in re.sub(r"<[^>]+>", "", english.split("<form", 1)[1].split("</form>")[0])
    french = client.get(survey_path(app) + "?lang=fr").get_data(as_text=True)
    assert "5 sur 5 : Très satisfait" in french


def test_french_site_and_service_names_are_marked_french_on_other_language_pages(client, db, app):
    make_service(db)
    db.commit()
    arabic = client.get(survey_path(app) + "?lang=ar").get_data(as_text=True)
    assert '<span lang="fr">Préfecture des Hauts-de-Seine</span>' in arabic
    assert '<span lang="fr">Accueil général</span>' in arabic
    french = client.get(survey_path(app) + "?lang=fr").get_data(as_text=True)
    assert '<span lang="fr">' not in french
