"""The administration pages: each renders, each form stores what it says, errors show on
the field at fault, and every action lands in the audit log."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from surveys.models import (
    AuditEntry,
    Campaign,
    Criterion,
    Questionnaire,
    Service,
    Site,
    Tablet,
    User,
)
from surveys.tablets import token_hash
from tests.factories import default_questionnaire, make_response, make_service, make_site, make_user

PAGES = [
    "/backoffice/",
    "/backoffice/admin/sites",
    "/backoffice/admin/questionnaires",
    "/backoffice/admin/campaigns",
    "/backoffice/admin/tablets",
    "/backoffice/admin/users",
    "/backoffice/audit",
    "/auth/password",
]


@pytest.fixture
def admin(db, client, auth):
    make_service(db)
    user = make_user(db, "admin")
    db.commit()
    assert auth.login("admin@example.org").status_code == 302
    return user


def post(db, client, url, **kwargs):
    """POST after ending the test session's transaction (SQLite has a single writer)."""
    db.commit()
    return client.post(url, **kwargs)


def audit_actions(db) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.mark.parametrize("path", PAGES)
def test_every_admin_page_renders_for_an_admin(admin, client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data[:500]
    assert response.headers["Cache-Control"] == "no-store"
    assert b"<h1>" in response.data


def test_quality_may_configure_but_not_manage_accounts(db, client, auth):
    make_user(db, "quality")
    db.commit()
    auth.login()
    assert client.get("/backoffice/admin/sites").status_code == 200
    assert client.get("/backoffice/admin/users").status_code == 403
    assert client.get("/backoffice/audit").status_code == 403


def test_creating_a_site_stores_it_and_audits_the_action(admin, client, db):
    response = post(
        db,
        client,
        "/backoffice/admin/sites",
        data={
            "new-code": "92-antony",
            "new-name": "Sous-préfecture d'Antony",
            "new-departement": "92",
            "new-timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 302
    site = db.scalar(Site.by_code("92-antony"))
    assert site.name == "Sous-préfecture d'Antony" and site.departement == "92"
    assert "site.create" in audit_actions(db)


def test_a_site_with_an_unknown_departement_is_refused_on_that_field(admin, client, db):
    response = post(
        db,
        client,
        "/backoffice/admin/sites",
        data={
            "new-code": "x-site",
            "new-name": "X",
            "new-departement": "99",
            "new-timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 400
    assert 'id="new-departement-error"' in response.text
    assert 'aria-describedby="new-departement-hint new-departement-error"' in response.text
    assert db.scalar(Site.by_code("x-site")) is None


def test_the_mission_types_a_site_official_title_and_its_pages_show_it(admin, client, db):
    site = db.scalar(Site.by_code("92-nanterre"))
    url = f"/backoffice/admin/sites/{site.id}"
    form = {
        "site-name": site.name,
        "site-departement": site.departement,
        "site-timezone": site.timezone,
        "site-active": "y",
        "site-submit": "1",
    }
    title = "Préfet  des\r\nHauts-de-Seine\r\n"
    response = post(
        db,
        client,
        url,
        data={**form, "site-official_title": title},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.scalar(Site.by_code("92-nanterre")).official_title == "Préfet des\nHauts-de-Seine"
    db.commit()  # the read ends before the page's request
    page = client.get(url).get_data(as_text=True)
    assert "Intitulé officiel (bloc marque)" in page and "Hauts-de-Seine</textarea>" in page
    # Emptied: the instance's title again.
    post(db, client, url, data={**form, "site-official_title": ""})
    db.expire_all()
    assert db.scalar(Site.by_code("92-nanterre")).official_title is None


def test_adding_a_service_to_a_site(admin, client, db):
    site = db.scalar(Site.by_code("92-nanterre"))
    response = post(
        db,
        client,
        f"/backoffice/admin/sites/{site.id}",
        data={"service-code": "titres", "service-name": "Titres de séjour", "service-submit": "1"},
    )
    assert response.status_code == 302
    assert db.scalar(Service.by_codes("92-nanterre", "titres")).name == "Titres de séjour"


def test_editing_a_questionnaire_with_responses_creates_a_new_version(admin, client, db):
    make_response(db)
    db.commit()
    questionnaire = default_questionnaire(db)
    overall = db.scalar(select(Criterion).where(Criterion.code == "overall"))
    response = post(
        db,
        client,
        f"/backoffice/admin/questionnaires/{questionnaire.id}",
        data={
            "q-satisfied_threshold": "4",
            f"q-pos_{overall.id}": "1",
            "q-title_fr": "Votre avis, en une question",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    versions = db.scalars(
        select(Questionnaire)
        .where(Questionnaire.code == questionnaire.code)
        .order_by(Questionnaire.version)
    ).all()
    assert [q.version for q in versions] == [1, 2]
    assert len(versions[0].items) > 1  # the answered version is untouched
    assert [i.criterion_id for i in versions[1].items] == [overall.id]
    assert versions[1].is_default and not versions[0].is_default
    assert "questionnaire.new_version" in audit_actions(db)


def test_editing_a_questionnaire_without_responses_edits_it_in_place(admin, client, db):
    questionnaire = default_questionnaire(db)
    overall = db.scalar(select(Criterion).where(Criterion.code == "overall"))
    response = post(
        db,
        client,
        f"/backoffice/admin/questionnaires/{questionnaire.id}",
        data={"q-satisfied_threshold": "5", f"q-pos_{overall.id}": "1", "q-title_fr": "Accueil"},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Questionnaire)) == 1
    assert default_questionnaire(db).satisfied_threshold == 5


def test_criterion_labels_per_language(admin, client, db):
    overall = db.scalar(select(Criterion).where(Criterion.code == "overall"))
    response = post(
        db,
        client,
        f"/backoffice/admin/criteria/{overall.id}",
        data={
            "criterion-label_fr": "Satisfaction globale",
            "criterion-label_ar": "الرضا العام",
            "criterion-active": "y",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Criterion, overall.id).labels == {
        "fr": "Satisfaction globale",
        "ar": "الرضا العام",
    }


def test_a_campaign_with_its_period_scope_and_targets(admin, client, db):
    site = db.scalar(Site.by_code("92-nanterre"))
    overall = db.scalar(select(Criterion).where(Criterion.code == "overall"))
    data = {
        "campaign-code": "mars-2027",
        "campaign-name": "Mars 2027",
        "campaign-questionnaire": str(default_questionnaire(db).id),
        "campaign-starts_on": "2027-03-01",
        "campaign-ends_on": "2027-03-31",
        "campaign-target_n": "400",
        "campaign-target_rate": "85",
        "campaign-scopes": [str(site.id)],
        f"target_{overall.id}": "90",
    }
    assert post(db, client, "/backoffice/admin/campaigns", data=data).status_code == 302
    campaign = db.scalar(select(Campaign).where(Campaign.code == "mars-2027"))
    assert (campaign.starts_on, campaign.ends_on) == (date(2027, 3, 1), date(2027, 3, 31))
    assert campaign.target_rate == 0.85
    assert [(s.site_id, s.service_id) for s in campaign.scopes] == [(site.id, None)]
    assert [(t.criterion_id, t.target_rate) for t in campaign.targets] == [(overall.id, 0.9)]


def test_a_campaign_ending_before_it_starts_is_refused(admin, client, db):
    site = db.scalar(Site.by_code("92-nanterre"))
    data = {
        "campaign-code": "bad",
        "campaign-name": "Bad",
        "campaign-questionnaire": str(default_questionnaire(db).id),
        "campaign-starts_on": "2027-03-31",
        "campaign-ends_on": "2027-03-01",
        "campaign-target_n": "0",
        "campaign-target_rate": "80",
        "campaign-scopes": [str(site.id)],
    }
    response = post(db, client, "/backoffice/admin/campaigns", data=data)
    assert response.status_code == 400
    assert "Le dernier jour doit être après le premier." in response.text
    assert db.scalar(select(func.count()).select_from(Campaign)) == 0


def test_enrolling_a_tablet_shows_a_one_time_code_and_stores_only_its_hash(admin, client, db):
    service = make_service(db)
    response = post(
        db,
        client,
        "/backoffice/admin/tablets",
        data={"enrol-name": "Hall A", "enrol-service": service.id},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    tablet = db.scalar(select(Tablet))
    assert tablet.name == "Hall A" and tablet.enrolment_code_hash
    assert "data:image/svg+xml;base64," in response.text
    code = re.search(r"/kiosk/enrol/([A-Za-z0-9_-]+)", response.text).group(1)
    assert token_hash(code) == tablet.enrolment_code_hash
    assert code not in tablet.enrolment_code_hash
    assert "tablet.register" in audit_actions(db)


def test_renaming_moving_and_revoking_a_tablet(admin, client, db):
    from surveys.tablets import register_tablet

    service = make_service(db)
    other = make_service(db, make_site(db, "92-antony", "Antony"), "titres", "Titres")
    tablet, _code = register_tablet(db, service, "Borne")
    db.commit()
    url = f"/backoffice/admin/tablets/{tablet.id}"
    prefix = f"t{tablet.id}-"
    assert (
        post(
            db, client, url, data={prefix + "action": "rename", prefix + "name": "Borne 2"}
        ).status_code
        == 302
    )
    assert (
        post(
            db, client, url, data={prefix + "action": "move", prefix + "service": other.id}
        ).status_code
        == 302
    )
    assert post(db, client, url, data={prefix + "action": "revoke"}).status_code == 302
    db.expire_all()
    tablet = db.get(Tablet, tablet.id)
    assert (tablet.name, tablet.service_id, tablet.site_id) == ("Borne 2", other.id, other.site_id)
    assert tablet.revoked_at is not None and tablet.enrolment_code_hash is None
    assert audit_actions(db)[-3:] == ["tablet.rename", "tablet.move", "tablet.revoke"]


def test_creating_an_agent_needs_a_scope_and_a_strong_password(admin, client, db):
    site = db.scalar(Site.by_code("92-nanterre"))
    base = {
        "user-email": "agent@example.org",
        "user-name": "Agent",
        "user-role": "agent",
        "user-language": "fr",
        "user-active": "y",
    }
    weak = post(
        db,
        client,
        "/backoffice/admin/users",
        data={**base, "user-password": "court", "user-scopes": [str(site.id)]},
    )
    assert weak.status_code == 400 and "au moins 12 caractères" in weak.text
    noscope = post(
        db,
        client,
        "/backoffice/admin/users",
        data={**base, "user-password": "une phrase assez longue"},
    )
    assert noscope.status_code == 400 and "au moins un site" in noscope.text
    assert db.scalar(select(User).where(User.email == "agent@example.org")) is None
    ok = post(
        db,
        client,
        "/backoffice/admin/users",
        data={**base, "user-password": "une phrase assez longue", "user-scopes": [str(site.id)]},
    )
    assert ok.status_code == 302
    agent = db.scalar(select(User).where(User.email == "agent@example.org"))
    assert agent.role == "agent" and [(s.site_id, s.service_id) for s in agent.scopes] == [
        (site.id, None)
    ]
    assert "user.create" in audit_actions(db)


def test_an_admin_cannot_demote_or_disable_themself(admin, client, db):
    response = post(
        db,
        client,
        f"/backoffice/admin/users/{admin.id}",
        data={
            "user-name": "Admin",
            "user-role": "quality",
            "user-language": "fr",
            "user-active": "y",
        },
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.get(User, admin.id).role == "admin"


def test_the_audit_log_lists_actions_and_filters_them(admin, client, db):
    post(
        db,
        client,
        "/backoffice/admin/sites",
        data={
            "new-code": "92-antony",
            "new-name": "Antony",
            "new-departement": "92",
            "new-timezone": "Europe/Paris",
        },
    )
    page = client.get("/backoffice/audit?action=site.")
    assert page.status_code == 200
    assert "site.create" in page.text and "auth.login" not in page.text


@pytest.mark.app_config(AVIS_TABLET_MIN_INTERVAL_SECONDS=5)
def test_tablets_page_shows_the_marked_and_refused_responses_of_the_week(admin, client, db):
    from surveys.models import utcnow
    from surveys.responses import record_refusal
    from tests.survey.helpers import at, enrolled_tablet, payload

    tablet, token = enrolled_tablet(db)
    record_refusal(db, tablet.id, "hourly_limit", utcnow())
    db.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    for seconds_ago in (10, 8, 7):  # the last two closer than 5 s to another: marked
        sent = client.post(
            "/api/v1/responses", json=payload(submitted_at=at(seconds_ago)), headers=bearer
        )
        assert sent.status_code == 201
    page = client.get("/backoffice/admin/tablets").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Tablette hall</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells[-2:] == ["2", "1"]  # marked, refused
    assert "Réponses rapprochées (7 jours)" in page
