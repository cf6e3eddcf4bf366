import json
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest

from analysis.filters import make_filters
from analysis.report import build_report, report_json
from analysis.stats import two_proportion_test, wilson
from surveys.models import Campaign, CampaignScope
from tests.factories import default_questionnaire, make_service, make_site

from .helpers import store, store_many

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "analysis" / "schemas" / "report.schema.json").read_text()
)
JAN = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)


def test_wilson_interval_matches_the_published_example():
    # Wilson (1927) as tabulated by Newcombe (1998), example 81/263: 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    # Newcombe's 15/148: 0.0624 to 0.1605.
    low, high = wilson(15, 148)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)


def test_two_proportion_test_by_hand():
    # 60/100 against 45/100: pooled 0.525, se = sqrt(.525*.475*.02) = 0.07062, z = 2.124.
    diff, z, p = two_proportion_test(60, 100, 45, 100)
    assert diff == pytest.approx(0.15)
    assert z == pytest.approx(2.124, abs=1e-3)
    assert p == pytest.approx(0.0337, abs=1e-3)


def _row(rows, site, service, code):
    return next(
        r for r in rows if (r["site"], r["service"], r["criterion"]) == (site, service, code)
    )


def test_rates_per_service_site_and_all_sites_with_unanswered_criteria_left_out(db):
    nanterre = make_site(db)
    accueil = make_service(db, nanterre, "accueil")
    etrangers = make_service(db, nanterre, "etrangers", "Étrangers")
    antony = make_service(db, make_site(db, "92-antony", "Antony"), "accueil")
    store_many(db, accueil, JAN, "courtesy", [5, 4, 3])  # 2 of 3
    store_many(db, etrangers, JAN, "courtesy", [1, 4])  # 1 of 2
    store_many(db, antony, JAN, "courtesy", [4])  # 1 of 1
    store(db, accueil, JAN, {"clarity": 5})  # courtesy unanswered: not a dissatisfied usager
    db.commit()
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    rows = build_report(db, filters, today=date(2026, 2, 1), full=False).satisfaction
    assert _row(rows, "92-nanterre", "accueil", "courtesy")["n"] == 3
    site = _row(rows, "92-nanterre", None, "courtesy")
    assert (site["n"], site["satisfied"], site["rate"]) == (5, 3, 0.6)
    total = _row(rows, None, None, "courtesy")
    assert (total["n"], total["satisfied"]) == (6, 4)
    assert total["enough"] is False
    assert _row(rows, None, None, "clarity")["n"] == 1


def test_flag_rises_at_thirty_answers(db):
    service = make_service(db)
    store_many(db, service, JAN, "overall", [5] * 29)
    db.commit()
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert (
        _row(build_report(db, filters, full=False).satisfaction, None, None, "overall")["enough"]
        is False
    )
    store_many(db, service, JAN, "overall", [2])
    db.commit()
    row = _row(build_report(db, filters, full=False).satisfaction, None, None, "overall")
    assert (row["n"], row["enough"], round(row["rate"], 4)) == (30, True, 0.9667)


def test_partial_months_count_the_same_as_whole_months(db):
    service = make_service(db)
    for day, rating in ((1, 5), (15, 2), (31, 4)):
        store(db, service, datetime(2026, 1, day, 12, tzinfo=UTC), {"overall": rating})
    store(db, service, datetime(2026, 2, 1, 12, tzinfo=UTC), {"overall": 5})
    db.commit()

    def rate(start, end):
        filters = make_filters(db, date_from=start, date_to=end)
        return _row(build_report(db, filters, full=False).satisfaction, None, None, "overall")

    assert rate(date(2026, 1, 1), date(2026, 1, 31))["n"] == 3
    assert rate(date(2026, 1, 2), date(2026, 2, 1))["n"] == 3
    assert rate(date(2026, 1, 15), date(2026, 1, 15))["satisfied"] == 0


def test_felt_effort_is_a_mean_out_of_five_where_easy_counts_as_satisfied(db):
    service = make_service(db)
    store_many(db, service, JAN, "effort", [1, 2, 5, 4])
    db.commit()
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    row = _row(build_report(db, filters, full=False).satisfaction, None, None, "effort")
    assert (row["mean"], row["satisfied"]) == (3.0, 2)


def test_comparison_with_the_same_dates_a_year_before_only_when_both_sides_have_thirty(db):
    service = make_service(db)
    # December just before is not the comparison: January one year earlier is.
    store_many(db, service, datetime(2025, 12, 10, tzinfo=UTC), "overall", [1] * 40)
    store_many(db, service, datetime(2025, 1, 10, tzinfo=UTC), "overall", [5] * 18 + [1] * 12)
    store_many(db, service, JAN, "overall", [5] * 27 + [1] * 3)
    store_many(db, service, JAN, "courtesy", [5] * 30)
    db.commit()
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    report = build_report(db, filters, today=date(2026, 2, 1))
    overall = next(
        c for c in report.comparison if c["site"] is None and c["criterion"] == "overall"
    )
    assert overall["difference_points"] == 30.0  # 90 % against 60 %
    assert overall["significant"] is True
    courtesy = next(
        c for c in report.comparison if c["site"] is None and c["criterion"] == "courtesy"
    )
    assert courtesy["shown"] is False


def test_campaign_report_keeps_only_the_services_it_runs_on(db):
    nanterre = make_site(db)
    accueil = make_service(db, nanterre, "accueil")
    etrangers = make_service(db, nanterre, "etrangers", "Étrangers")
    campaign = Campaign(
        code="2026-etrangers",
        name="Enquête étrangers",
        questionnaire_id=default_questionnaire(db).id,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        target_n=100,
    )
    campaign.scopes = [CampaignScope(site_id=nanterre.id, service_id=etrangers.id)]
    db.add(campaign)
    db.flush()
    store(db, etrangers, JAN, {"overall": 5}, campaign_id=campaign.id)
    store(db, accueil, JAN, {"overall": 1})
    db.commit()
    report = build_report(db, make_filters(db, campaign_code="2026-etrangers"))
    services = {row["service"] for row in report.satisfaction}
    assert services == {"etrangers", None}
    assert _row(report.satisfaction, None, None, "overall")["rate"] == 1.0
    assert report.target_n == 100 and report.total_responses == 1


def test_report_json_has_exactly_the_documented_shape(db):
    service = make_service(db)
    store_many(db, service, JAN, "courtesy", [5, 4, 2])
    db.commit()
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    document = report_json(build_report(db, filters, today=date(2026, 2, 1)))
    jsonschema.validate(document, SCHEMA)
    assert document["period"] == {"from": "2026-01-01", "to": "2026-01-31"}
    first = document["satisfaction"][0]
    assert first == {
        "site": "92-nanterre",
        "service": None,
        "criterion": "courtesy",
        "n": 3,
        "satisfied": 2,
        "rate": 0.6667,
        "ci_low": 0.2077,
        "ci_high": 0.9385,
    }
    assert document["reclamations"][-1]["site"] is None
