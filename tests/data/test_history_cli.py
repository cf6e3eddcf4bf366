"""History from the command line: ``avis questionnaires add``, ``avis campaigns add``, then
an import whose columns hold a criterion outside the default questionnaire (``effort``)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from surveys.models import Answer, Campaign, Criterion, Questionnaire, Response, Site
from tests.factories import default_questionnaire

# These tests pin the English messages; tests/data/test_spreadsheets.py the French ones.
pytestmark = pytest.mark.usefixtures("english")

HEADER = "response_id,submitted_at,site,service,channel,language,overall,effort,comment"


def _questionnaires(db, code: str) -> list[Questionnaire]:
    found = db.scalars(
        select(Questionnaire).where(Questionnaire.code == code).order_by(Questionnaire.version)
    ).all()
    db.rollback()
    return found


def _effort_file(tmp_path, *rows: tuple[str, str, str]):
    """A response CSV of (date-time, service, effort) rows at Nanterre."""
    lines = [HEADER]
    for when, service, effort in rows:
        lines.append(f"{uuid.uuid4()},{when},92-nanterre,{service},paper,fr,4,{effort},")
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_questionnaires_add_creates_then_versions_only_when_the_criteria_change(runner, db):
    args = ["questionnaires", "add", "sp_plus", "--name", "Services Publics+"]
    first = runner.invoke(args=[*args, "--criteria", "overall,effort"])
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "1"
    same = runner.invoke(args=[*args, "--criteria", "overall, effort"])
    assert same.stdout.strip() == "1"
    second = runner.invoke(args=[*args, "--criteria", "overall,courtesy,effort"])
    assert second.stdout.strip() == "2"
    versions = _questionnaires(db, "sp_plus")
    assert [v.version for v in versions] == [1, 2]
    assert [i.criterion.code for i in versions[1].items] == ["overall", "courtesy", "effort"]
    assert all(v.published_on is not None for v in versions)  # published at once
    assert versions[0].titles == {"fr": "Services Publics+"}


def test_questionnaires_add_refuses_an_unknown_criterion_by_name(runner, db):
    result = runner.invoke(
        args=["questionnaires", "add", "x", "--name", "X", "--criteria", "overall,nope"]
    )
    assert result.exit_code != 0
    assert "unknown criterion: nope" in result.output
    assert _questionnaires(db, "x") == []


def test_a_criterion_without_every_usager_language_needs_the_french_fallback(runner, db):
    db.add(Criterion(code="prise_rdv", labels={"fr": "Prise de rendez-vous"}))
    db.commit()
    args = ["questionnaires", "add", "rdv", "--name", "RDV", "--criteria", "overall,prise_rdv"]
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0
    assert "no label in en, es, pt, ar, ru, uk, tr, ro, zh" in refused.output
    assert "--french-fallback" in refused.output
    assert _questionnaires(db, "rdv") == []
    assert runner.invoke(args=[*args, "--french-fallback"]).stdout.strip() == "1"


def test_campaigns_add_covers_every_site_without_site_and_the_given_ones_with(runner, db, sites):
    runner.invoke(args=["questionnaires", "add", "spp", "--name", "S", "--criteria", "effort"])
    every = runner.invoke(
        args=[
            "campaigns", "add", "spp_2022", "--name", "SP+ 2022", "--questionnaire", "spp",
            "--from", "2022-01-01", "--to", "2022-12-31", "--target", "500",
        ]
    )  # fmt: skip
    assert every.exit_code == 0, every.output
    some = runner.invoke(
        args=[
            "campaigns", "add", "antony_etr", "--name", "Antony", "--questionnaire", "spp",
            "--from", "2023-01-01", "--to", "2023-06-30",
            "--site", "92-antony", "--site", "92-nanterre/etrangers",
        ]
    )  # fmt: skip
    assert some.exit_code == 0, some.output
    campaigns = {c.code: c for c in db.scalars(select(Campaign))}
    site_ids = set(db.scalars(select(Site.id)))
    assert {(s.site_id, s.service_id) for s in campaigns["spp_2022"].scopes} == {
        (site_id, None) for site_id in site_ids
    }
    assert campaigns["spp_2022"].target_n == 500
    scopes = {(s.site_id, s.service_id is None) for s in campaigns["antony_etr"].scopes}
    antony = db.scalar(Site.by_code("92-antony")).id
    nanterre = db.scalar(Site.by_code("92-nanterre")).id
    assert scopes == {(antony, True), (nanterre, False)}


def test_campaigns_add_names_an_unknown_questionnaire_site_or_bad_dates(runner, db, sites):
    base = ["campaigns", "add", "c", "--name", "C", "--from", "2022-01-01"]
    unknown_q = runner.invoke(args=[*base, "--to", "2022-02-01", "--questionnaire", "nope"])
    assert "unknown questionnaire: nope" in unknown_q.output
    assert "avis questionnaires add" in unknown_q.output
    code = default_questionnaire(db).code
    db.rollback()
    unknown_site = runner.invoke(
        args=[*base, "--to", "2022-02-01", "--questionnaire", code, "--site", "75-paris"]
    )
    assert "unknown site: 75-paris" in unknown_site.output
    backwards = runner.invoke(args=[*base, "--to", "2021-02-01", "--questionnaire", code])
    assert backwards.exit_code != 0 and "ends_on" in backwards.output
    assert db.scalars(select(Campaign)).all() == []


def test_an_effort_column_is_refused_with_what_to_do_then_filed_under_the_campaign(
    runner, db, sites, tmp_path
):
    path = _effort_file(
        tmp_path,
        ("2022-03-02T10:00:00", "accueil", "2"),
        ("2022-11-30T16:00:00", "etrangers", "4"),
    )
    refused = runner.invoke(args=["import", "responses", path])
    assert refused.exit_code != 0
    assert "line 2, column effort" in refused.output
    assert "avis questionnaires add" in refused.output
    assert "avis campaigns add" in refused.output
    assert db.scalars(select(Response)).all() == []
    db.rollback()

    made = runner.invoke(
        args=[
            "questionnaires", "add", "qualipref_spp", "--name", "Qual-e-Pref et SP+",
            "--criteria", "overall,courtesy,effort",
        ]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    campaign = runner.invoke(
        args=[
            "campaigns", "add", "history_2022", "--name", "Enquête 2022",
            "--questionnaire", "qualipref_spp", "--from", "2022-01-01", "--to", "2022-12-31",
        ]
    )  # fmt: skip
    assert campaign.exit_code == 0, campaign.output
    imported = runner.invoke(args=["import", "responses", path])
    assert imported.exit_code == 0, imported.output

    history = db.scalar(select(Campaign).where(Campaign.code == "history_2022"))
    responses = db.scalars(select(Response).order_by(Response.submitted_at)).all()
    assert [r.campaign_id for r in responses] == [history.id, history.id]
    assert {r.questionnaire_id for r in responses} == {history.questionnaire_id}
    effort = db.scalar(select(Criterion).where(Criterion.code == "effort"))
    ratings = db.scalars(
        select(Answer.rating)
        .join(Response)
        .where(Answer.criterion_id == effort.id)
        .order_by(Response.submitted_at)
    ).all()
    assert ratings == [2, 4]
