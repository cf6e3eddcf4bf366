"""The report beside the same dates one year earlier, and its réclamation rows per service,
on data small enough to count by hand."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from analysis.filters import make_filters
from analysis.report import build_report, report_json
from surveys.campaigns import default_questionnaire
from surveys.models import Campaign, CampaignScope, Reclamation, ReclamationCategory
from tests.factories import make_service, make_site

from .helpers import store_many

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "analysis" / "schemas" / "report.schema.json").read_text()
)
TODAY = date(2023, 3, 1)


def _reclamation(db, service, received_on, due_on, answered_on=None, category="waiting_time"):
    db.add(
        Reclamation(
            reference=uuid.uuid4().hex[:12],
            kind="reclamation",
            channel="courriel",
            category_id=db.scalar(
                select(ReclamationCategory.id).where(ReclamationCategory.code == category)
            ),
            site_id=service.site_id,
            service_id=service.id,
            received_on=received_on,
            due_on=due_on,
            text="texte",
            reply_wanted=True,
            reply_expected=True,
            answered_on=answered_on,
            status="answered" if answered_on else "new",
        )
    )


@pytest.fixture
def two_years(db):
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    etrangers = make_service(db, antony, "etrangers", "Bureau des étrangers")
    accueil = make_service(db, antony, "accueil", "Accueil général")
    make_service(db, antony, "pan", "Point d'accueil numérique")
    # Satisfaction of the étrangers: 27 of 30 in March 2022, 18 of 30 in March 2021.
    store_many(db, etrangers, datetime(2022, 3, 10, 10, tzinfo=UTC), "overall", [5] * 27 + [2] * 3)
    store_many(db, etrangers, datetime(2021, 3, 10, 10, tzinfo=UTC), "overall", [4] * 18 + [1] * 12)
    # 2022: 3 at the étrangers (2 in time: Mon 7 → Tue 8 and Wed 9; 1 late: Mon 21), and
    # 1 at the accueil in time (Fri 11). 2021: 2 at the étrangers, 1 in time (delay 2),
    # 1 late (delay 7).
    _reclamation(db, etrangers, date(2022, 3, 7), date(2022, 3, 14), date(2022, 3, 8))
    _reclamation(db, etrangers, date(2022, 3, 7), date(2022, 3, 14), date(2022, 3, 9))
    _reclamation(db, etrangers, date(2022, 3, 7), date(2022, 3, 14), date(2022, 3, 21))
    _reclamation(db, accueil, date(2022, 3, 7), date(2022, 3, 14), date(2022, 3, 11), "reception")
    _reclamation(db, etrangers, date(2021, 3, 8), date(2021, 3, 15), date(2021, 3, 10))
    _reclamation(db, etrangers, date(2021, 3, 8), date(2021, 3, 15), date(2021, 3, 17))
    db.commit()


def _one(rows, **keys):
    return next(r for r in rows if all(r[k] == v for k, v in keys.items()))


def test_json_report_gives_the_same_dates_a_year_earlier_with_rows_per_service(db, two_years):
    filters = make_filters(db, date_from=date(2022, 1, 1), date_to=date(2022, 12, 31))
    document = report_json(build_report(db, filters, today=TODAY, full=False))

    jsonschema.validate(document, SCHEMA)
    assert document["previous"]["period"] == {"from": "2021-01-01", "to": "2021-12-31"}
    now, before = document["reclamations"], document["previous"]["reclamations"]
    assert [(r["site"], r["service"], r["received"]) for r in now] == [
        ("92-antony", None, 4),
        ("92-antony", "accueil", 1),
        ("92-antony", "etrangers", 3),
        (None, None, 4),
    ]
    etrangers = _one(now, site="92-antony", service="etrangers")
    assert (etrangers["answered_in_time"], etrangers["in_time_rate"]) == (2, 0.6667)
    assert etrangers["mean_delay_working_days"] == round((1 + 2 + 10) / 3, 2)
    assert [(r["site"], r["service"], r["received"]) for r in before] == [
        ("92-antony", None, 2),
        ("92-antony", "etrangers", 2),
        (None, None, 2),
    ]
    site_before = _one(before, site="92-antony", service=None)
    assert (site_before["in_time_rate"], site_before["mean_delay_working_days"]) == (0.5, 4.5)
    overall = _one(
        document["previous"]["satisfaction"], site=None, service=None, criterion="overall"
    )
    assert (overall["n"], overall["satisfied"]) == (30, 18)


def test_comparison_beside_each_rate_and_indicator_with_the_chance_test(db, two_years):
    filters = make_filters(db, date_from=date(2022, 1, 1), date_to=date(2022, 12, 31))
    report = build_report(db, filters, today=TODAY)

    overall = _one(report.comparison, site=None, service=None, criterion="overall")
    assert (overall["previous_rate"], overall["rate"]) == (0.6, 0.9)
    assert overall["difference_points"] == 30.0
    assert overall["significant"] is True  # p ≈ 0.007
    site = _one(report.reclamation_comparison, site="92-antony", service=None)
    assert (site["previous_received"], site["previous_in_time_rate"]) == (2, 0.5)
    assert site["previous_counted_for_rate"] == 2
    assert site["delay_difference"] == round((1 + 2 + 10 + 4) / 4 - 4.5, 2)
    # 4 and 2 replies expected: too few to say whether 75 % against 50 % is beyond chance.
    assert (site["shown"], site["difference_points"]) == (False, None)
    accueil = _one(report.reclamation_comparison, site="92-antony", service="accueil")
    assert (accueil["previous_received"], accueil["previous_in_time_rate"]) == (0, None)


def test_service_filter_applies_to_both_years_and_a_silent_service_counts_zero(db, two_years):
    filters = make_filters(
        db, date_from=date(2022, 1, 1), date_to=date(2022, 12, 31), service_codes=["pan"]
    )
    document = report_json(build_report(db, filters, today=TODAY, full=False))
    assert [(r["site"], r["service"], r["received"]) for r in document["reclamations"]] == [
        ("92-antony", None, 0),
        (None, None, 0),
    ]
    assert document["previous"]["reclamations"][0]["received"] == 0
    assert document["satisfaction"] == []


def test_campaign_report_compares_with_the_previous_edition_of_the_campaign(db, two_years):
    questionnaire = default_questionnaire(db).id
    for year, start, end in ((2021, date(2021, 3, 1), date(2021, 3, 31)),
                             (2022, date(2022, 3, 7), date(2022, 4, 20))):  # fmt: skip
        campaign = Campaign(
            code=f"qualepref-{year}-antony",
            name=f"Enquête {year}",
            questionnaire_id=questionnaire,
            starts_on=start,
            ends_on=end,
            target_n=30,
        )
        campaign.scopes = [CampaignScope(site_id=make_site(db, "92-antony").id)]
        db.add(campaign)
    db.commit()
    filters = make_filters(db, campaign_code="qualepref-2022-antony")
    report = build_report(db, filters, today=TODAY, full=False)
    assert (report.previous_filters.date_from, report.previous_filters.date_to) == (
        date(2021, 3, 1),
        date(2021, 3, 31),
    )
    assert report.comparison_label == "Enquête 2021"


def test_report_command_and_api_take_a_service_filter(
    runner, client, auth, db, two_years, tmp_path
):
    from tests.factories import make_user

    out = tmp_path / "report.json"
    args = ["report", "--from", "2022-01-01", "--to", "2022-12-31", "--format", "json"]
    result = runner.invoke(args=[*args, "--service", "etrangers", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert [(r["site"], r["service"], r["received"]) for r in document["reclamations"]] == [
        ("92-antony", None, 3),
        ("92-antony", "etrangers", 3),
        (None, None, 3),
    ]
    unknown = runner.invoke(
        args=[*args, "--service", "nowhere", "--out", str(out)], env={"LC_ALL": "C"}
    )
    assert unknown.exit_code != 0 and "Service inconnu : nowhere" in unknown.output
    make_user(db, "quality", "quality@example.org")
    db.commit()
    auth.login()
    answer = client.get("/api/v1/report?from=2022-01-01&to=2022-12-31&service=accueil")
    jsonschema.validate(answer.json, SCHEMA)
    assert answer.json["reclamations"][-1]["received"] == 1
    assert client.get("/api/v1/report?service=nowhere").json["field"] == "service"
