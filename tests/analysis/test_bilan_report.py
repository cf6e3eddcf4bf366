"""The rest of the CLU bilan in the report: the register indicators against their targets
beside last year, the action plans, and the actions beside what they answer — in the JSON
of DESIGN.md and in every format a person reads, by name, never by code."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from analysis.filters import ReportFilters
from analysis.i18n import Formatter
from analysis.report import build_report, report_json
from surveys.actions import ActionInput, create_action
from surveys.indicators import parse_month, store_value
from surveys.models import Indicator
from surveys.response_writes import insert_responses
from tests.factories import make_service, make_site

from .helpers import new_response

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "analysis" / "schemas" / "report.schema.json").read_text()
)
YEAR = ReportFilters(date(2022, 1, 1), date(2022, 12, 31))
TODAY = date(2023, 1, 20)
# Codes a person should never read in a document.
CODES = ("calls_answered", "info_email_delay", "issuance_delay_id", "realisee", "en_cours")


def _store(db, site, code: str, month: str, value: float, count: int | None = None) -> None:
    indicator = db.scalar(select(Indicator).where(Indicator.code == code))
    store_value(db, site.id, indicator, parse_month(month), value, count)


@pytest.fixture
def bilan(db):
    nanterre = make_site(db)
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    accueil = make_service(db, nanterre, "accueil")
    antony_accueil = make_service(db, antony, "accueil")
    # Nanterre's calls: (0.93 × 1000 + 0.97 × 3000) / 4000 = (930 + 2910) / 4000 = 0.96;
    # a year earlier 0.80 over 100 calls.
    _store(db, nanterre, "calls_answered", "2022-10", 0.93, 1000)
    _store(db, nanterre, "calls_answered", "2022-11", 0.97, 3000)
    _store(db, nanterre, "calls_answered", "2021-10", 0.80, 100)
    _store(db, nanterre, "issuance_delay_id", "2022-12", 24)
    _store(db, nanterre, "pan_visits", "2022-10", 340)
    _store(db, nanterre, "pan_visits", "2022-11", 360)
    # Antony's email delay: (1.0 × 3 + 2.0 × 1) / 4 = 1.25 working days.
    _store(db, antony, "info_email_delay", "2022-01", 1.0, 3)
    _store(db, antony, "info_email_delay", "2022-02", 2.0, 1)
    rows = []
    for day in range(1, 21):
        at = datetime(2022, 11, day, 10, tzinfo=UTC)
        rows.append(new_response(db, accueil, at, {"overall": 4, "signage": 2 + day % 4}))
        rows.append(new_response(db, antony_accueil, at, {"overall": 5, "signage": 5}))
    insert_responses(db, rows)
    for site, year, title, status, answers, day in (
        (nanterre, 2022, "Mettre à jour la signalétique", "realisee", {"criteria": ["signage"]},
         date(2022, 11, 15)),
        (nanterre, 2023, "Former les agents d'accueil", "prevue", {"categories": ["reception"]},
         date(2022, 12, 10)),
        (antony, 2022, "Réaliser l'enquête annuelle", "en_cours", {}, date(2022, 3, 1)),
    ):  # fmt: skip
        create_action(
            db, ActionInput(site_id=site.id, year=year, title=title, status=status, **answers), day
        )
    db.commit()


def test_json_indicators_are_one_row_per_site_and_indicator_weighted_by_their_counts(db, bilan):
    document = report_json(build_report(db, YEAR, today=TODAY, full=False))
    jsonschema.validate(document, SCHEMA)
    assert document["indicators"] == [
        {"site": "92-antony", "indicator": "info_email_delay", "value": 1.25, "count": 4,
         "target": 5.0},
        {"site": "92-nanterre", "indicator": "calls_answered", "value": 0.96, "count": 4000,
         "target": 0.9},
        {"site": "92-nanterre", "indicator": "pan_visits", "value": 700.0, "count": None,
         "target": None},
        {"site": "92-nanterre", "indicator": "issuance_delay_id", "value": 24.0, "count": None,
         "target": None},
    ]  # fmt: skip
    assert document["previous"]["indicators"] == [
        {"site": "92-nanterre", "indicator": "calls_answered", "value": 0.8, "count": 100,
         "target": 0.9},
    ]  # fmt: skip
    only = report_json(
        build_report(
            db, ReportFilters(YEAR.date_from, YEAR.date_to, ["92-antony"]), today=TODAY, full=False
        )
    )
    assert [row["site"] for row in only["indicators"]] == ["92-antony"]


def test_the_schema_refuses_an_indicator_row_without_its_target(db, bilan):
    document = report_json(build_report(db, YEAR, today=TODAY, full=False))
    del document["indicators"][0]["target"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)
    del document["indicators"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def test_api_report_carries_the_indicators(client, auth, db, bilan):
    from tests.factories import make_user

    make_user(db, "quality", "quality@example.org")
    db.commit()
    auth.login()
    answer = client.get("/api/v1/report?from=2022-01-01&to=2022-12-31")
    jsonschema.validate(answer.json, SCHEMA)
    assert {(r["site"], r["indicator"]) for r in answer.json["indicators"]} >= {
        ("92-nanterre", "calls_answered"),
        ("92-antony", "info_email_delay"),
    }


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fr", ["93\u00a0%", "24,8\u00a0%", "1,28\u00a0j", "1\u202f375", "≥\u00a090\u00a0%"]),
        ("en", ["93%", "24.8%", "1.28\u00a0d", "1,375", "≥\u00a090%"]),
    ],
)
def test_register_values_read_in_the_language_conventions(language, texts):
    fmt = Formatter(language)
    assert [
        fmt.register_value("rate", "percent", 0.93),
        fmt.register_value("rate", "percent", 0.248),
        fmt.register_value("mean", "working_days", 1.28),
        fmt.register_value("count", "updates", 1375),
        fmt.register_target("rate", "percent", 0.9, True),
    ] == texts
    assert fmt.register_value("mean", "days", None) == "–"


def test_a_poster_names_a_delay_in_words():
    assert Formatter("fr").register_value("mean", "days", 24, words=True) == "24\u00a0jours"
    assert Formatter("fr").register_value("mean", "days", 1.5, words=True) == "1,5\u00a0jour"
    assert Formatter("en").register_value("mean", "days", 24, words=True) == "24\u00a0days"


def _full(db, language="fr"):
    return build_report(db, YEAR, today=TODAY), language


def _no_codes(text: str) -> None:
    for code in CODES:
        assert code not in text, code


def test_csv_shows_the_register_and_the_plans_by_name(db, bilan):
    from analysis.report_sheets import report_csv

    text = report_csv(build_report(db, YEAR, today=TODAY), "fr")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    calls = next(r for r in rows if r and r[0] == "Taux d'appels décrochés")
    assert calls[1:6] == ["Préfecture des Hauts-de-Seine", "96\u00a0%", "≥\u00a090\u00a0%", "oui",
                          "80\u00a0%"]  # fmt: skip
    email = next(r for r in rows if r and r[0].startswith("Délai moyen de réponse"))
    assert email[2] == "1,25\u00a0j"
    signage = {tuple(r[:2]): r[-1] for r in rows if len(r) > 3 and r[2] == "Signalétique adaptée"}
    assert signage[("Préfecture des Hauts-de-Seine", "Tout le site")] == (
        "Mettre à jour la signalétique (2022, réalisée)"
    )
    assert signage[("Tous les sites", "")] == (
        "Préfecture des Hauts-de-Seine\u00a0: Mettre à jour la signalétique (2022, réalisée)"
    )
    assert signage[("Sous-préfecture d'Antony", "Tout le site")] == ""
    plans = [r for r in rows if r and r[0] in ("2022", "2023")]
    assert [(r[0], r[3], r[6]) for r in plans] == [
        ("2022", "Mettre à jour la signalétique", "réalisée"),
        ("2022", "Réaliser l'enquête annuelle", "en cours"),
        ("2023", "Former les agents d'accueil", "prévue"),
    ]
    _no_codes(text)


def test_xlsx_keeps_register_values_as_numbers_shown_in_their_kind(db, bilan):
    from analysis.report_sheets import report_xlsx

    book = load_workbook(io.BytesIO(report_xlsx(build_report(db, YEAR, today=TODAY), "en")))
    sheet = book["indicators"]
    cells = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    calls = cells["Calls answered"]
    assert (calls[2].value, calls[2].number_format) == (0.96, "0.0%")
    email = cells["Mean reply delay to information requests by email"]
    assert (email[2].value, email[2].number_format) == (1.25, "0.00")
    actions = [row[3].value for row in book["actions"].iter_rows() if row[0].value in ("2022",)]
    assert "Mettre à jour la signalétique" in actions
    statuses = {row[6].value for row in book["actions"].iter_rows(min_row=6)}
    assert {"done", "in progress", "planned"} <= statuses


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pdf_shows_the_register_the_plans_and_the_actions_beside_criteria(
    db, bilan, tmp_path, language
):
    from analysis.render import report_pdf

    out = tmp_path / "report.pdf"
    out.write_bytes(report_pdf(db, build_report(db, YEAR, today=TODAY), language))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    if language == "fr":
        assert "Indicateurs du registre" in text and "Taux d'appels décrochés" in text
        assert "Plan d'actions 2022 – Préfecture des Hauts-de-Seine" in text
        assert "Plan d'actions 2023 – Préfecture des Hauts-de-Seine" in text
        beside = "→ Préfecture des Hauts-de-Seine : Mettre à jour la signalétique (2022, réalisée)"
        assert beside in text.replace("\n", " ")
        assert "1 action réalisée sur 1" in text  # each plan counts its own site's
    else:
        assert "Register indicators" in text and "Calls answered" in text
        assert "Action plan 2023 – Préfecture des Hauts-de-Seine" in text
    assert "96" in text and ("1,25" in text or "1.25" in text)
    _no_codes(text)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    artifacts = Path("test-artifacts/bilan") / language
    artifacts.mkdir(parents=True, exist_ok=True)
    for page in sorted(tmp_path.glob("page-*.png")):
        (artifacts / page.name).write_bytes(page.read_bytes())


def test_deck_has_slides_of_the_register_the_plans_and_the_answering_actions(db, bilan):
    from pptx import Presentation

    from analysis.deck import report_pptx

    deck = Presentation(io.BytesIO(report_pptx(db, build_report(db, YEAR, today=TODAY), "fr")))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    text = "\n".join(texts)
    for title in (
        "Indicateurs du registre",
        "Plan d'actions 2022",
        "Plan d'actions 2023",
        "Actions en réponse aux critères et aux sujets",
    ):
        assert title in texts
    assert "Taux d'appels décrochés" in text and "96\u00a0%" in text
    assert "✓ Mettre à jour la signalétique" in text
    assert "Accueil et courtoisie" in text or "Signalétique adaptée" in text
    _no_codes(text)


def test_the_summary_counts_the_plan_done_and_the_next_one(db, bilan):
    from analysis.render import report_context

    context = report_context(db, build_report(db, YEAR, today=TODAY), "fr")
    assert "Plan d'actions 2022 : 1 action réalisée sur 2." in context["summary"]
    assert "Plan d'actions 2023 : 1 action prévue." in context["summary"]
