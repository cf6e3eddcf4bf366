"""The demo's register indicators: 2022 at the three sites comes out at seed 003's figures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from analysis.indicators import indicator_rows
from surveys.demo import ensure_sites
from surveys.demo.indicators import build_demo_indicators
from surveys.models import IndicatorValue

YEAR = (date(2022, 1, 1), date(2022, 12, 31))
Q4 = (date(2022, 10, 1), date(2022, 12, 31))


def by_key(rows) -> dict:
    return {(row["site"], row["indicator"]): row for row in rows}


def test_the_demo_year_gives_the_figures_of_the_minutes(db):
    sites = ensure_sites(db)
    added = build_demo_indicators(db, sites)
    assert added > 100
    year = by_key(indicator_rows(db, *YEAR))
    for site, delay, in_time in (
        ("92-antony", 1.28, 0.827),
        ("92-boulogne", 1.80, 0.804),
        ("92-nanterre", 3.0, 0.248),
    ):
        assert year[(site, "info_email_delay")]["value"] == pytest.approx(delay, abs=0.005)
        assert year[(site, "info_email_in_time")]["value"] == pytest.approx(in_time, abs=0.0005)
    for site in ("92-antony", "92-boulogne"):
        assert year[(site, "calls_answered")]["value"] == pytest.approx(0.93, abs=0.0005)
    calls = year[("92-nanterre", "calls_answered")]
    assert calls["value"] == pytest.approx(0.93, abs=0.0005)
    assert calls["target"] == 0.9
    assert 35_000 < calls["count"] < 50_000
    assert year[("92-nanterre", "website_updates_in_time")]["count"] == 1375
    assert year[("92-nanterre", "pan_visits")]["value"] == 340 * 12
    quarter = by_key(indicator_rows(db, *Q4, sites=["92-nanterre"]))
    assert quarter[("92-nanterre", "calls_answered")]["value"] == pytest.approx(0.95, abs=0.0005)
    assert quarter[("92-nanterre", "issuance_delay_id")]["value"] == pytest.approx(24, abs=0.01)
    assert quarter[("92-nanterre", "issuance_delay_licence")]["value"] == pytest.approx(
        33, abs=0.01
    )
    assert quarter[("92-nanterre", "issuance_delay_registration")]["value"] == pytest.approx(
        8, abs=0.01
    )
    engagements = [year[("92-nanterre", f"sp_engagement_{n}")]["value"] for n in range(1, 10)]
    assert sum(engagements) / 9 == pytest.approx(0.616, abs=0.0005)
    assert max(engagements) == engagements[5] == 0.86
    assert min(engagements) == engagements[3] == 0.306
    db.rollback()


def test_building_the_demo_twice_adds_no_value(db):
    sites = ensure_sites(db)
    build_demo_indicators(db, sites)
    stored = db.scalar(select(func.count()).select_from(IndicatorValue))
    assert build_demo_indicators(db, sites) == 0
    assert db.scalar(select(func.count()).select_from(IndicatorValue)) == stored
    db.rollback()


def test_the_demo_holds_both_action_plans_of_each_site(db):
    from surveys.demo.indicators import build_demo_bilan
    from surveys.models import Action

    sites = ensure_sites(db)
    build_demo_bilan(db, sites)
    plans = {}
    for action in db.scalars(select(Action)):
        plans.setdefault((action.site.code, action.year), []).append(action)
    assert set(plans) == {(code, year) for code in sites for year in (2022, 2023)}
    assert all(a.status == "realisee" for code in sites for a in plans[(code, 2022)])
    boulogne_2023 = {a.title: a for a in plans[("92-boulogne", 2023)]}
    training = next(a for t, a in boulogne_2023.items() if "formations de recyclage à l" in t)
    assert (training.status, training.service.code) == ("en_cours", "accueil")
    signage = next(a for a in plans[("92-nanterre", 2023)] if "signalétique" in a.title)
    assert signage.answers == {"criteria": ["signage"], "categories": ["information"]}
    assert build_demo_bilan(db, sites) == 0
    db.rollback()
