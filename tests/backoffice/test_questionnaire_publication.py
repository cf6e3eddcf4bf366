"""A new questionnaire version is a draft until published: by a campaign's first day or by
the mission with a date; publishing without a label in every usager language is refused,
naming them, unless French is accepted explicitly."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from surveys.models import Campaign, Criterion, Questionnaire, Site
from tests.factories import criterion, default_questionnaire, make_response, make_service, make_user

PARIS = ZoneInfo("Europe/Paris")


def _login_admin(db, auth):
    make_user(db, "admin")
    db.commit()
    assert auth.login("admin@example.org").status_code == 302


def _qr_page(app, client) -> str:
    from kiosk.public.tokens import make_survey_token, survey_path

    with app.app_context():
        path = survey_path(make_survey_token("92-nanterre", "accueil"))
    return client.get(path).text


def _screens(app, client, tablet) -> str:
    """What a tablet and a QR code of Nanterre's accueil show usagers now."""
    return tablet.get("/kiosk/").text + _qr_page(app, client)


def test_a_draft_version_reaches_usagers_only_when_its_campaign_starts(app, client, auth, db):
    from surveys.tablets import register_tablet

    service = make_service(db)
    tablet = app.test_client()
    make_response(db)  # the version in force has responses: an edit makes a new version
    db.commit()
    current = default_questionnaire(db)
    effort = criterion(db, "effort")
    overall = criterion(db, "overall")
    effort_label = effort.label("fr")
    current_id, current_code, effort_id, overall_id = (
        current.id,
        current.code,
        effort.id,
        overall.id,
    )
    db.rollback()  # SQLite has one writer: the test's reads must not hold it
    with time_machine.travel(datetime(2027, 2, 15, 10, tzinfo=PARIS), tick=False):
        _tablet, enrolment = register_tablet(db, service, "Hall")
        db.commit()
        assert tablet.post(f"/kiosk/enrol/{enrolment}").status_code == 302
        assert effort_label not in _screens(app, client, tablet)
        _login_admin(db, auth)
        edited = client.post(
            f"/backoffice/admin/questionnaires/{current_id}",
            data={
                "q-satisfied_threshold": "4",
                f"q-pos_{overall_id}": "1",
                f"q-pos_{effort_id}": "2",
                "q-title_fr": "Accueil, printemps 2027",
            },
            follow_redirects=True,
        )
        assert "en brouillon" in edited.text
        db.expire_all()
        draft = db.scalar(
            select(Questionnaire).where(
                Questionnaire.code == current_code, Questionnaire.version == 2
            )
        )
        assert draft.is_draft
        draft_id = draft.id
        db.rollback()
        # The new-campaign form proposes the newest version, the draft.
        form = client.get("/backoffice/admin/campaigns").text
        assert (
            f'<option selected value="{draft_id}">' in form
            or f'value="{draft_id}" selected' in form
        )
        site_id = db.scalar(Site.by_code("92-nanterre")).id
        db.rollback()
        saved = client.post(
            "/backoffice/admin/campaigns",
            data={
                "campaign-code": "printemps_2027",
                "campaign-name": "Printemps 2027",
                "campaign-questionnaire": str(draft_id),
                "campaign-starts_on": "2027-03-01",
                "campaign-ends_on": "2027-05-31",
                "campaign-target_n": "300",
                "campaign-target_rate": "80",
                "campaign-scopes": [str(site_id)],
            },
        )
        assert saved.status_code == 302
        listing = client.get("/backoffice/admin/campaigns").text
        assert "Préfecture des Hauts-de-Seine — tous les services" in listing
        assert effort_label not in _screens(app, client, tablet)
    db.expire_all()
    assert db.get(Questionnaire, draft_id).published_on == date(2027, 3, 1)
    db.rollback()
    with time_machine.travel(datetime(2027, 2, 28, 23, 50, tzinfo=PARIS), tick=False):
        assert effort_label not in _screens(app, client, tablet)
    with time_machine.travel(datetime(2027, 3, 1, 8, 30, tzinfo=PARIS), tick=False):
        assert tablet.get("/kiosk/").text.count(effort_label) >= 1
        assert effort_label in _qr_page(app, client)


def test_publishing_without_every_language_names_them_or_falls_back_when_asked(client, auth, db):
    make_service(db)
    db.add(Criterion(code="prise_rdv", labels={"fr": "Prise de rendez-vous", "en": "Booking"}))
    db.flush()
    rdv = criterion(db, "prise_rdv")
    draft = Questionnaire(code="rdv_2027", version=1, titles={"fr": "RDV"})
    db.add(draft)
    db.flush()
    from surveys.models import QuestionnaireItem

    db.add(QuestionnaireItem(questionnaire_id=draft.id, criterion_id=rdv.id, position=1))
    draft_id = draft.id
    _login_admin(db, auth)
    page = client.get(f"/backoffice/admin/questionnaires/{draft_id}").text
    assert "Brouillon" in page and "arabe" in page
    url = f"/backoffice/admin/questionnaires/{draft_id}/publish"
    refused = client.post(url, data={"publish-published_on": "2027-01-04"})
    assert refused.status_code == 400
    assert (
        "espagnol" in refused.text and "chinois" in refused.text and "anglais" not in refused.text
    )
    db.expire_all()
    assert db.get(Questionnaire, draft_id).is_draft
    db.rollback()
    done = client.post(
        url, data={"publish-published_on": "2027-01-04", "publish-french_fallback": "y"}
    )
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Questionnaire, draft_id).published_on == date(2027, 1, 4)


def test_codes_with_underscores_are_accepted_for_criteria_and_campaigns(client, auth, db):
    make_service(db)
    _login_admin(db, auth)
    db.rollback()
    page = client.get("/backoffice/admin/questionnaires").text
    assert "par exemple « prise_rdv »" in page and "92-antony" not in page
    made = client.post(
        "/backoffice/admin/criteria",
        data={"criterion-code": "prise_rdv", "criterion-label_fr": "Prise de rendez-vous"},
    )
    assert made.status_code == 302
    assert db.scalar(select(Criterion).where(Criterion.code == "prise_rdv")) is not None
    site_id = db.scalar(Site.by_code("92-nanterre")).id
    questionnaire_id = default_questionnaire(db).id
    db.rollback()
    campaign = client.post(
        "/backoffice/admin/campaigns",
        data={
            "campaign-code": "enquete_2027",
            "campaign-name": "Enquête 2027",
            "campaign-questionnaire": str(questionnaire_id),
            "campaign-starts_on": "2027-03-01",
            "campaign-ends_on": "2027-03-31",
            "campaign-target_n": "0",
            "campaign-target_rate": "80",
            "campaign-scopes": [str(site_id)],
        },
    )
    assert campaign.status_code == 302
    assert db.scalar(select(Campaign.code)) == "enquete_2027"
