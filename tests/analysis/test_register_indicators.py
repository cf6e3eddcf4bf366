"""The register indicators over a period: months weighted by their count (1 where empty)
for a rate or a mean, summed for a count; the report's JSON rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from analysis.indicators import aggregate, indicator_rows
from surveys.indicators import parse_month, store_value
from surveys.models import Indicator
from tests.factories import make_site


# Hand-computed: (0.90 × 1000 + 0.96 × 3000) / 4000 = (900 + 2880) / 4000 = 0.945.
def test_a_rate_is_the_mean_of_its_months_weighted_by_their_count():
    assert aggregate("rate", [(0.90, 1000), (0.96, 3000)]) == (pytest.approx(0.945), 4000)


# Hand-computed: empty counts weigh 1: (3 + 1 + 2 × 2) / (1 + 1 + 2) = 8 / 4 = 2.
def test_a_month_without_count_weighs_one():
    assert aggregate("mean", [(3.0, None), (1.0, None), (2.0, 2)]) == (pytest.approx(2.0), 2)


def test_without_any_count_a_rate_is_the_plain_mean_and_has_no_count():
    assert aggregate("rate", [(0.2, None), (0.4, None), (0.9, None)]) == (pytest.approx(0.5), None)


def test_a_count_is_the_sum_of_its_months():
    assert aggregate("count", [(340.0, None), (351.0, None), (329.0, None)]) == (1020.0, None)


def test_months_that_weigh_nothing_give_no_value():
    assert aggregate("rate", [(0.5, 0), (0.7, 0)]) == (None, 0)
    assert aggregate("mean", []) == (None, None)


def _store(db, site, code: str, month: str, value: float, count: int | None = None) -> None:
    indicator = db.scalar(select(Indicator).where(Indicator.code == code))
    store_value(db, site.id, indicator, parse_month(month), value, count)


def test_report_rows_cover_the_months_of_the_period_for_the_sites_asked(db):
    nanterre = make_site(db)
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    # Nanterre's calls in Q4 2022, and a month outside the period.
    _store(db, nanterre, "calls_answered", "2022-10", 0.93, 1000)
    _store(db, nanterre, "calls_answered", "2022-11", 0.95, 1000)
    _store(db, nanterre, "calls_answered", "2022-12", 0.99, 2000)
    _store(db, nanterre, "calls_answered", "2023-01", 0.10, 9000)
    _store(db, antony, "pan_visits", "2022-10", 340)
    _store(db, antony, "pan_visits", "2022-11", 360)
    _store(db, antony, "calls_answered", "2022-09", 0.5)
    db.flush()
    period = (date(2022, 10, 1), date(2022, 12, 31))
    # (930 + 950 + 1980) / 4000 = 3860 / 4000 = 0.965
    assert indicator_rows(db, *period) == [
        {"site": "92-antony", "indicator": "pan_visits", "value": 700.0, "count": None,
         "target": None},
        {"site": "92-nanterre", "indicator": "calls_answered", "value": 0.965, "count": 4000,
         "target": 0.9},
    ]  # fmt: skip
    only = indicator_rows(db, *period, sites=["92-nanterre"])
    assert [row["site"] for row in only] == ["92-nanterre"]
    # A period that starts or ends within a month takes that month in.
    mid = indicator_rows(db, date(2022, 10, 15), date(2022, 11, 2), sites=["92-antony"])
    assert mid[0]["value"] == 700.0
    db.rollback()


def test_storing_the_same_value_again_changes_nothing_and_a_new_one_replaces(db):
    site = make_site(db)
    calls = db.scalar(select(Indicator).where(Indicator.code == "calls_answered"))
    month = date(2022, 1, 1)
    assert store_value(db, site.id, calls, month, 0.9, 100).outcome == "created"
    db.flush()
    assert store_value(db, site.id, calls, month, 0.9, 100).outcome == "unchanged"
    replaced = store_value(db, site.id, calls, month, 0.92, 100)
    assert (replaced.outcome, replaced.previous_value) == ("replaced", 0.9)
    db.flush()
    assert store_value(db, site.id, calls, month, None).outcome == "removed"
    db.rollback()


def test_action_plan_rows_give_the_year_and_the_next_one(db):
    from datetime import date as day

    from analysis.actions import action_plan_rows
    from surveys.actions import ActionInput, create_action

    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    boulogne = make_site(db, "92-boulogne", "Sous-préfecture de Boulogne-Billancourt")
    for site, year, title, status in (
        (antony, 2022, "Réaliser l'enquête annuelle", "realisee"),
        (antony, 2023, "Former l'administrateur du chatbot", "prevue"),
        (antony, 2021, "Plus ancien", "realisee"),
        (boulogne, 2022, "QR codes sur les affiches", "realisee"),
    ):
        create_action(
            db,
            ActionInput(site_id=site.id, year=year, title=title, status=status,
                        criteria=["signage"] if site is boulogne else []),
            today=day(2022, 12, 15),
        )  # fmt: skip
    rows = action_plan_rows(db, 2022)
    assert [(r["site"], r["title"]) for r in rows["plan"]] == [
        ("92-antony", "Réaliser l'enquête annuelle"),
        ("92-boulogne", "QR codes sur les affiches"),
    ]
    assert rows["plan"][1]["answers"] == {"criteria": ["signage"], "categories": []}
    assert rows["plan"][1]["status_on"] == "2022-12-15"
    assert [r["title"] for r in rows["next"]] == ["Former l'administrateur du chatbot"]
    assert action_plan_rows(db, 2022, sites=["92-boulogne"])["next"] == []
    db.rollback()


def test_a_year_earlier_of_the_29th_of_february_is_the_28th():
    from analysis.filters import year_earlier

    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)
    assert year_earlier(date(2022, 12, 31)) == date(2021, 12, 31)
