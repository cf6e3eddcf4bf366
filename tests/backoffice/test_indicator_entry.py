"""The back office's grid of register indicators (sites × months, target beside each) and
the register on the Indicateurs page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from surveys.models import AuditEntry, IndicatorValue
from tests.factories import make_site, make_user

GRID = "/backoffice/indicateurs/saisie"


@pytest.fixture
def sites(db):
    nanterre = make_site(db)
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    make_user(db, role="quality")
    make_user(db, role="agent", email="agent@example.org", scopes=[("92-antony", None)])
    db.commit()
    return nanterre.id, antony.id


def stored(db) -> dict:
    values = {
        (v.site.code, v.indicator.code, v.month): (v.value, v.count)
        for v in db.scalars(select(IndicatorValue))
    }
    db.rollback()
    return values


def test_the_grid_shows_sites_months_and_the_target(client, auth, sites):
    auth.login()
    page = client.get(f"{GRID}?indicator=calls_answered&year=2022").get_data(as_text=True)
    assert "Taux d&#39;appels décrochés" in page
    assert "Préfecture des Hauts-de-Seine" in page and "Sous-préfecture d&#39;Antony" in page
    assert "≥ 90 %" in page
    assert 'aria-label="Sous-préfecture d&#39;Antony, décembre 2022"' in page
    assert 'href="/backoffice/indicateurs/saisie"' in page  # the menu entry


def test_typed_values_are_stored_replaced_removed_and_logged(client, auth, db, sites):
    nanterre, antony = sites
    auth.login()
    form = {
        "indicator": "calls_answered",
        "year": "2022",
        f"v-{nanterre}-1": "93,5",
        f"c-{nanterre}-1": "3400",
        f"v-{antony}-2": "91",
    }
    answer = client.post(GRID, data=form)
    assert answer.status_code == 303
    assert stored(db) == {
        ("92-nanterre", "calls_answered", date(2022, 1, 1)): (0.935, 3400),
        ("92-antony", "calls_answered", date(2022, 2, 1)): (0.91, None),
    }
    page = client.get(f"{GRID}?indicator=calls_answered&year=2022").get_data(as_text=True)
    assert 'value="93,5"' in page and 'value="3400"' in page
    form[f"v-{nanterre}-1"] = "94"
    form[f"v-{antony}-2"] = ""
    assert client.post(GRID, data=form).status_code == 303
    assert stored(db) == {("92-nanterre", "calls_answered", date(2022, 1, 1)): (0.94, 3400)}
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "indicator.values")).all()
    assert [e.object_id for e in entries] == ["calls_answered", "calls_answered"]
    assert "replaced=1 removed=1" in entries[-1].detail
    db.rollback()


def test_a_grid_with_a_bad_cell_keeps_nothing(client, auth, db, sites):
    nanterre, antony = sites
    auth.login()
    answer = client.post(
        GRID,
        data={
            "indicator": "calls_answered",
            "year": "2022",
            f"v-{nanterre}-3": "92",
            f"v-{antony}-3": "150",
            f"c-{nanterre}-3": "beaucoup",
        },
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "Un taux est compris entre 0 et 100 %." in page
    assert "Un nombre entier positif est attendu." in page
    assert 'value="150"' in page
    assert stored(db) == {}


def test_agents_may_not_type_indicators(client, auth, sites):
    auth.login("agent@example.org")
    assert client.get(GRID).status_code == 403


def test_the_indicators_page_shows_the_register_against_its_targets(client, auth, db, sites):
    nanterre, antony = sites
    auth.login()
    client.post(
        GRID,
        data={
            "indicator": "info_email_delay",
            "year": "2022",
            f"v-{nanterre}-1": "3",
            f"c-{nanterre}-1": "100",
            f"v-{nanterre}-2": "7",
            f"c-{nanterre}-2": "300",
            f"v-{antony}-1": "1,28",
        },
    )
    client.post(
        GRID,
        data={
            "indicator": "info_email_delay",
            "year": "2021",
            f"v-{nanterre}-6": "4,5",
        },
    )
    page = client.get("/backoffice/indicateurs?from=2022-01-01&to=2022-12-31").get_data(
        as_text=True
    )
    assert "4,5 jours ouvrés" in page  # Nanterre a year earlier
    assert "Indicateurs du registre" in page
    # Nanterre: (3 × 100 + 7 × 300) / 400 = 6 working days, above the target of 5.
    assert "6 jours ouvrés" in page
    assert "1,28 jours ouvrés" in page
    assert "≤ 5 jours ouvrés" in page
    assert page.count("objectif non atteint") == 1  # Nanterre
    assert page.count(">objectif atteint<") == 1  # Antony


def test_the_mission_adds_an_indicator_of_its_own(client, auth, db, sites):
    auth.login()
    answer = client.post(
        "/backoffice/indicateurs/nouveau",
        data={
            "code": "chatbot_answers",
            "name_fr": "Questions résolues par le chatbot",
            "name_en": "Questions solved by the chatbot",
            "kind": "rate",
            "target": "60",
            "higher": "yes",
        },
    )
    assert answer.status_code == 303
    from surveys.models import Indicator

    added = db.scalar(select(Indicator).where(Indicator.code == "chatbot_answers"))
    assert (added.kind, added.unit, added.target, added.higher_is_better) == (
        "rate",
        "percent",
        0.6,
        True,
    )
    assert added.position > db.scalar(
        select(Indicator.position).where(Indicator.code == "sp_engagement_9")
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "indicator.create"))
    assert entry.object_id == "chatbot_answers"
    db.rollback()
    page = client.get(f"{GRID}?indicator=chatbot_answers").get_data(as_text=True)
    assert "Questions résolues par le chatbot" in page and "≥ 60 %" in page
    again = client.post(
        "/backoffice/indicateurs/nouveau",
        data={"code": "chatbot_answers", "name_fr": "Autre", "kind": "mean", "unit": "days"},
    )
    assert again.status_code == 400
    assert "Ce code existe déjà." in again.get_data(as_text=True)
    too_high = client.post(
        "/backoffice/indicateurs/nouveau",
        data={"code": "x_rate", "name_fr": "X", "kind": "rate", "target": "120"},
    )
    assert too_high.status_code == 400
    assert "Valeur hors des limites permises." in too_high.get_data(as_text=True)


def test_the_mission_ticks_which_indicators_the_transparency_poster_shows(client, auth, db, sites):
    from surveys.models import Indicator

    ticked = set(db.scalars(select(Indicator.code).where(Indicator.on_poster.is_(True))))
    assert ticked == {
        "calls_answered",
        "issuance_delay_id",
        "issuance_delay_licence",
        "issuance_delay_registration",
    }
    db.rollback()
    auth.login()
    page = client.get(f"{GRID}?indicator=pan_visits").get_data(as_text=True)
    assert 'name="on_poster"' in page and "affiche de transparence" in page
    answer = client.post(
        "/backoffice/indicateurs/affiche",
        data={"indicator": "pan_visits", "on_poster": "yes", "year": "2022"},
    )
    assert answer.status_code == 303 and "indicator=pan_visits" in answer.location
    assert db.scalar(select(Indicator.on_poster).where(Indicator.code == "pan_visits")) is True
    db.rollback()  # a reading session would hold SQLite's lock against the next write
    client.post("/backoffice/indicateurs/affiche", data={"indicator": "calls_answered"})
    assert db.scalar(select(Indicator.on_poster).where(Indicator.code == "calls_answered")) is False
    logged = db.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "indicator.poster"))
    assert sorted(logged) == ["calls_answered", "pan_visits"]
    db.rollback()
    new = client.post(
        "/backoffice/indicateurs/nouveau",
        data={"code": "chatbot", "name_fr": "Chatbot", "kind": "rate", "on_poster": "yes"},
    )
    assert new.status_code == 303
    assert db.scalar(select(Indicator.on_poster).where(Indicator.code == "chatbot")) is True
    db.rollback()
    auth.logout()
    auth.login("agent@example.org")
    refused = client.post("/backoffice/indicateurs/affiche", data={"indicator": "pan_visits"})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("language", "rate", "count", "code"),
    [
        ("fr", "Un taux est compris entre 0 et 100 %.", "Un nombre entier positif est attendu.",
         "Code invalide : lettres minuscules, chiffres, tirets et soulignés."),
        ("en", "A rate lies between 0 and 100%.", "A whole number of zero or more is expected.",
         "Invalid code: lower-case letters, digits, hyphens and underscores."),
    ],
)  # fmt: skip
def test_a_refused_cell_or_indicator_is_told_in_the_agents_language(
    client, auth, db, sites, language, rate, count, code
):
    from surveys.models import User

    db.scalar(select(User).where(User.email == "quality@example.org")).language = language
    db.commit()
    nanterre, antony = sites
    auth.login()
    grid = {"indicator": "calls_answered", "year": "2022", f"v-{antony}-3": "150"}
    page = client.post(GRID, data={**grid, f"c-{nanterre}-3": "beaucoup"}).text
    assert rate in page and count not in page  # a count beside an empty value is not read
    page = client.post(GRID, data={**grid, f"v-{nanterre}-3": "92", f"c-{nanterre}-3": "-1"}).text
    assert rate in page and count in page
    # The codes of indicators take underscores (« chatbot_answers »): the refusal says so.
    new = {"code": "Chatbot", "name_fr": "Chatbot", "kind": "mean", "unit": "days"}
    page = client.post("/backoffice/indicateurs/nouveau", data=new).text
    assert code in page
    assert stored(db) == {}
