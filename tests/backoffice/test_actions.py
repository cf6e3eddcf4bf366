"""Action plans: the register per site and year for the quality mission (with the audit
log), read-only and limited to their service for agents."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveys import DomainError
from surveys.actions import ActionInput, create_action, site_actions, update_action
from surveys.models import Action, AuditEntry, User
from tests.factories import make_service, make_site, make_user

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    time_machine.move_to(NOW, tick=True)


@pytest.fixture
def places(db):
    boulogne = make_site(db, "92-boulogne", "Sous-préfecture de Boulogne-Billancourt")
    accueil = make_service(db, boulogne, "accueil", "Accueil général")
    cert = make_service(db, boulogne, "cert", "CERT")
    make_user(db, role="quality")
    make_user(db, role="agent", email="agent@example.org", scopes=[("92-boulogne", "cert")])
    db.commit()
    return {"site": boulogne.id, "accueil": accueil.id, "cert": cert.id}


def test_an_action_knows_what_it_answers_and_refuses_unknown_codes(db, places):
    action = create_action(
        db,
        ActionInput(
            site_id=places["site"],
            year=2023,
            title="Mettre à jour la signalétique et l'affichage extérieur",
            criteria=["signage", "signage"],
            categories=["information"],
        ),
        today=TODAY,
    )
    assert action.answers == {"criteria": ["signage"], "categories": ["information"]}
    assert (action.status, action.status_on) == ("prevue", TODAY)
    with pytest.raises(DomainError) as refused:
        create_action(
            db,
            ActionInput(site_id=places["site"], year=2023, title="X", criteria=["nope"]),
            today=TODAY,
        )
    assert refused.value.field == "criteria"
    with pytest.raises(DomainError):
        create_action(db, ActionInput(site_id=places["site"], year=2023, title="  "), TODAY)
    db.rollback()


def test_a_status_change_moves_its_date(db, places):
    given = ActionInput(site_id=places["site"], year=2023, title="Former les volontaires")
    action = create_action(db, given, today=date(2023, 1, 10))
    given.status = "en_cours"
    assert update_action(db, action, given, today=date(2023, 3, 1)) == ["status"]
    assert action.status_on == date(2023, 3, 1)
    assert update_action(db, action, given, today=date(2023, 4, 1)) == []
    assert action.status_on == date(2023, 3, 1)
    db.rollback()


def test_database_refuses_an_unknown_status(db, places):
    db.add(Action(site_id=places["site"], year=2023, title="X", status="faite", status_on=TODAY))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_the_mission_adds_and_updates_actions_in_the_register_with_the_audit_log(
    client, auth, db, places
):
    auth.login()
    answer = client.post(
        "/backoffice/actions?site=92-boulogne&year=2023",
        data={
            "title": "Programmer les formations de recyclage à l'accueil physique",
            "service_id": str(places["accueil"]),
            "year": "2023",
            "owner": "Cheffe de l'accueil",
            "due_on": "2023-06-30",
            "status": "en_cours",
            "criteria": ["courtesy"],
        },
    )
    assert answer.status_code == 303
    action = db.scalar(select(Action))
    action_id = action.id
    assert (action.service_id, action.due_on, action.status) == (
        places["accueil"],
        date(2023, 6, 30),
        "en_cours",
    )
    db.rollback()
    page = client.get("/backoffice/actions?site=92-boulogne&year=2023").get_data(as_text=True)
    assert "Plan d'actions 2023 — Sous-préfecture de Boulogne-Billancourt" in page
    assert "Plan d'actions 2024" in page  # the next year's plan beside it
    assert "formations de recyclage" in page and "en cours le 18/11/2026" in page
    update = client.post(
        f"/backoffice/actions/{action_id}",
        data={
            "title": "Programmer les formations de recyclage à l'accueil physique",
            "service_id": str(places["accueil"]),
            "year": "2023",
            "owner": "Cheffe de l'accueil",
            "due_on": "2023-06-30",
            "status": "realisee",
            "criteria": ["courtesy"],
        },
    )
    assert update.status_code == 303
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action.startswith("action."))).all()
    assert [(e.action, e.object_id) for e in entries] == [
        ("action.create", str(action_id)),
        ("action.update", str(action_id)),
    ]
    assert entries[1].detail == "fields=status status=realisee"
    db.rollback()


def test_a_bad_action_form_is_shown_again_with_its_error(client, auth, db, places):
    auth.login()
    answer = client.post(
        "/backoffice/actions?site=92-boulogne",
        data={"title": "", "year": "2023", "due_on": "30/06/2023"},
    )
    assert answer.status_code == 400
    assert "Indiquez une date valide." in answer.get_data(as_text=True)
    assert db.scalar(select(Action)) is None


def test_agents_read_the_actions_of_their_service_only(client, auth, db, places):
    for title, service in (("Réunion des mairies (CERT)", places["cert"]), ("Signalétique", None)):
        create_action(
            db,
            ActionInput(site_id=places["site"], year=2023, title=title, service_id=service),
            TODAY,
        )
    db.commit()
    ids = {a.title: a.id for a in site_actions(db, [places["site"]])}
    db.rollback()
    auth.login("agent@example.org")
    page = client.get("/backoffice/actions?site=92-boulogne&year=2023").get_data(as_text=True)
    assert "Réunion des mairies (CERT)" in page
    assert "Signalétique" not in page
    assert "Nouvelle action" not in page
    assert client.get(f"/backoffice/actions/{ids['Signalétique']}").status_code == 404
    assert client.get(f"/backoffice/actions/{ids['Réunion des mairies (CERT)']}").status_code == 200
    refused = client.post(
        f"/backoffice/actions/{ids['Réunion des mairies (CERT)']}",
        data={"title": "Autre", "year": "2023", "status": "abandonnee"},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("language", "required", "far_day"),
    [
        ("fr", "Ce champ est obligatoire.", "Indiquez une date entre les années 1900 et 2199."),
        ("en", "This field is required.", "Give a date between the years 1900 and 2199."),
    ],
)
def test_a_refused_action_is_told_in_the_agents_language(
    client, auth, db, places, language, required, far_day
):
    user = db.scalar(select(User).where(User.email == "quality@example.org"))
    user.language = language
    db.commit()
    auth.login()
    form = {"title": "", "year": "2023", "due_on": "2023-06-30"}
    page = client.post("/backoffice/actions?site=92-boulogne", data=form).get_data(as_text=True)
    assert required in page
    form = {"title": "Former les agents", "year": "2023", "due_on": "2300-06-30"}
    answer = client.post("/backoffice/actions?site=92-boulogne", data=form)
    assert answer.status_code == 400 and far_day in answer.get_data(as_text=True)
    if language == "en":  # the domain's own words never reach an English reader
        assert "doit être" not in answer.get_data(as_text=True)
    assert db.scalar(select(Action)) is None


@pytest.mark.parametrize(
    "given",
    [
        {"title": " "},
        {"title": "x" * 501},
        {"owner": "x" * 201},
        {"status": "faite"},
        {"year": 1999},
        {"criteria": ["nope"]},
        {"categories": ["nope"]},
    ],
)
def test_every_refusal_of_an_action_has_its_own_words_in_english(app, db, places, given):
    from kiosk.backoffice.admin_common import error_text

    action = {"site_id": places["site"], "year": 2023, "title": "Former les agents", **given}
    with pytest.raises(DomainError) as refused:
        create_action(db, ActionInput(**action), TODAY)
    db.rollback()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = error_text(refused.value)
    assert text != "Invalid value." and text.isascii(), text
