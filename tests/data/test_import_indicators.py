"""The register indicators of a fresh database and ``avis import indicators``: its
idempotence, its replacements and its refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveys.models import Indicator, IndicatorValue, Site

# These tests pin the English messages; tests/data/test_spreadsheets.py the French ones.
pytestmark = pytest.mark.usefixtures("english")

HEADER = ["site", "indicator", "month", "value", "count"]

MINUTES_INDICATORS = {
    "calls_answered",
    "info_email_delay",
    "info_email_in_time",
    "website_updates_in_time",
    "pan_visits",
    "issuance_delay_id",
    "issuance_delay_licence",
    "issuance_delay_registration",
}


def stored_values(db) -> dict:
    rows = {
        (v.site.code, v.indicator.code, v.month): (v.value, v.count)
        for v in db.scalars(select(IndicatorValue))
    }
    db.rollback()
    return rows


def test_fresh_database_holds_the_indicators_of_the_minutes(db):
    indicators = {i.code: i for i in db.scalars(select(Indicator))}
    assert set(indicators) >= MINUTES_INDICATORS
    assert {f"sp_engagement_{n}" for n in range(1, 10)} <= set(indicators)
    calls = indicators["calls_answered"]
    assert (calls.kind, calls.target, calls.higher_is_better) == ("rate", 0.9, True)
    delay = indicators["info_email_delay"]
    assert (delay.kind, delay.unit, delay.target, delay.higher_is_better) == (
        "mean",
        "working_days",
        5.0,
        False,
    )
    assert indicators["pan_visits"].kind == "count"
    assert "personne compétente" in indicators["sp_engagement_4"].label("fr")
    assert indicators["sp_engagement_6"].label("en").startswith("Services Publics+")


def test_database_refuses_two_values_for_one_site_indicator_and_month(db, sites):
    site = db.scalar(Site.by_code("92-nanterre"))
    calls = db.scalar(select(Indicator).where(Indicator.code == "calls_answered"))
    for _ in range(2):
        db.add(
            IndicatorValue(
                site_id=site.id, indicator_id=calls.id, month=date(2022, 1, 1), value=0.9
            )
        )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_importing_the_same_file_twice_changes_nothing(runner, db, sites, write_csv):
    path = str(
        write_csv(
            [
                HEADER,
                ["92-nanterre", "calls_answered", "2022-01", "0.91", "3400"],
                ["92-nanterre", "calls_answered", "2022-02", "0.95", ""],
                ["92-antony", "pan_visits", "2022-01", "340", ""],
            ]
        )
    )
    first = runner.invoke(args=["import", "indicators", path])
    assert first.exit_code == 0, first.output
    assert "3 monthly values read: 3 created, 0 updated, 0 already stored" in first.output
    stored = stored_values(db)
    assert stored[("92-nanterre", "calls_answered", date(2022, 1, 1))] == (0.91, 3400)
    assert stored[("92-nanterre", "calls_answered", date(2022, 2, 1))] == (0.95, None)
    again = runner.invoke(args=["import", "indicators", path])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 3 already stored" in again.output
    assert "replaced" not in again.output
    assert stored_values(db) == stored


def test_a_new_value_for_a_stored_month_replaces_it_and_says_so(runner, db, sites, write_csv):
    row = ["92-nanterre", "info_email_delay", "2022-03", "3", "120"]
    runner.invoke(args=["import", "indicators", str(write_csv([HEADER, row]))])
    row[3] = "2,5"  # a French decimal comma
    result = runner.invoke(args=["import", "indicators", str(write_csv([HEADER, row]))])
    assert result.exit_code == 0, result.output
    assert "92-nanterre info_email_delay 2022-03: 3 replaced by 2.5" in result.output
    assert "0 created, 1 updated, 0 already stored" in result.output
    assert stored_values(db) == {("92-nanterre", "info_email_delay", date(2022, 3, 1)): (2.5, 120)}


def test_the_count_column_may_be_left_out(runner, db, sites, write_csv):
    path = write_csv([HEADER[:4], ["92-antony", "pan_visits", "2022-05", "351"]])
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code == 0, result.output
    assert stored_values(db) == {("92-antony", "pan_visits", date(2022, 5, 1)): (351.0, None)}


def test_a_file_with_bad_lines_is_refused_whole_naming_line_and_column(
    runner, db, sites, write_csv
):
    path = write_csv(
        [
            HEADER,
            ["92-nanterre", "calls_answered", "2022-01", "0.91", "3400"],
            ["92-nanterre", "calls_answered", "2022-13", "0.9", ""],
            ["92-nanterre", "calls_answered", "2022-02", "93", ""],
            ["92-boulogne", "pan_visits", "2022-01", "12", ""],
            ["92-antony", "no_such_thing", "2022-01", "12", ""],
            ["92-antony", "pan_visits", "2022-01", "douze", "-3"],
            ["92-nanterre", "calls_answered", "2022-01", "0.92", ""],
        ]
    )
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code != 0
    output = result.output
    assert "line 3, column month: '2022-13' is not a month (YYYY-MM or MM/YYYY)" in output
    assert "line 4, column value: calls_answered is a rate: a fraction from 0 to 1" in output
    assert "line 5, column site: unknown site '92-boulogne'" in output
    assert "line 6, column indicator: unknown indicator 'no_such_thing'" in output
    assert "line 7, column value: 'douze' is not a number" in output
    assert "line 7, column count: '-3' is not a whole number of 0 or more" in output
    assert "line 8, column month: the same site, indicator and month as line 2" in output
    assert "nothing was imported" in output
    assert db.scalar(select(func.count()).select_from(IndicatorValue)) == 0


def test_a_header_without_its_columns_is_refused(runner, db, sites, write_csv):
    rows = [["site", "indicator", "mois", "value"], ["92-antony", "pan_visits", "2022-01", "1"]]
    result = runner.invoke(args=["import", "indicators", str(write_csv(rows))])
    assert result.exit_code != 0
    assert "line 1, column month: missing column" in result.output
    assert "line 1, column mois: unknown column" in result.output


def test_a_rate_written_as_a_percentage_is_read_as_one(runner, db, sites, write_csv):
    # A mission's spreadsheet often shows "93 %": the file is read as the grid reads it.
    path = write_csv(
        [
            HEADER,
            ["92-nanterre", "calls_answered", "2022-01", "93 %", "3400"],
            ["92-nanterre", "calls_answered", "2022-02", "93,5%", ""],
            ["92-nanterre", "calls_answered", "2022-03", "0.9", ""],
        ]
    )
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code == 0, result.output
    values = stored_values(db)
    assert values[("92-nanterre", "calls_answered", date(2022, 1, 1))] == (0.93, 3400)
    assert values[("92-nanterre", "calls_answered", date(2022, 2, 1))][0] == pytest.approx(0.935)
    assert values[("92-nanterre", "calls_answered", date(2022, 3, 1))][0] == 0.9


def test_a_percent_sign_on_what_is_no_rate_is_refused(runner, db, sites, write_csv):
    path = write_csv([HEADER, ["92-antony", "pan_visits", "2022-01", "12 %", ""]])
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code != 0
    assert "line 2, column value: '12 %' is not a number" in result.output
