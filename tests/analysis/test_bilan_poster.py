"""The transparency poster as the programme makes it: satisfaction, the felt effort when the
questionnaire asks it, réclamations answered in time, the register indicators the mission
ticks with their targets, and « Vous nous avez dit… nous avons fait »."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis.poster import parse_quarter, poster_figures
from surveys import DomainError
from surveys.actions import ActionInput, create_action
from surveys.indicators import parse_month, store_value
from surveys.models import Indicator
from surveys.response_writes import insert_responses
from tests.factories import make_service, make_site

from .helpers import new_response

TODAY = date(2023, 1, 20)


def _store(db, site, code: str, month: str, value: float, count: int | None = None) -> None:
    indicator = db.scalar(select(Indicator).where(Indicator.code == code))
    store_value(db, site.id, indicator, parse_month(month), value, count)


def _site(db, effort: bool):
    site = make_site(db)
    accueil = make_service(db, site, "accueil")
    rows = []
    for day in range(1, 31):
        ratings = {"overall": 4 if day % 10 else 2}  # 27 of 30 satisfied: 90 %
        if effort:
            ratings["effort"] = 2 if day % 10 else 5  # (27 × 2 + 3 × 5) / 30 = 2.3
        rows.append(new_response(db, accueil, datetime(2022, 11, day, 10, tzinfo=UTC), ratings))
    insert_responses(db, rows)
    # Calls in the quarter: (0.93 × 1000 + 0.97 × 3000) / 4000 = 0.96 (ticked by default);
    # the PAN's visits are not ticked.
    _store(db, site, "calls_answered", "2022-10", 0.93, 1000)
    _store(db, site, "calls_answered", "2022-11", 0.97, 3000)
    _store(db, site, "issuance_delay_id", "2022-12", 24)
    _store(db, site, "pan_visits", "2022-11", 351)
    for title, status, day in (
        ("Mettre à jour la signalétique", "realisee", date(2022, 11, 15)),
        ("Développer le chatbot", "realisee", date(2022, 6, 1)),  # done before the quarter
        ("Former les agents", "en_cours", date(2022, 12, 1)),
    ):
        create_action(db, ActionInput(site_id=site.id, year=2022, title=title, status=status), day)
    db.commit()
    return site


def _text(runner, tmp_path, *args, name="poster") -> str:
    out = tmp_path / f"{name}.pdf"
    result = runner.invoke(args=["poster", "--site", "92-nanterre", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages = tmp_path / name
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(out), str(pages)], check=True)
    images = sorted(tmp_path.glob(f"{name}-*.png"))
    assert len(images) == 1  # one A4 page
    artifacts = Path("test-artifacts/bilan")
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{name}.png").write_bytes(images[0].read_bytes())
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    return " ".join(text.split())


def test_a_quarter_is_written_with_its_year_and_number():
    assert parse_quarter("2022-T4") == (date(2022, 10, 1), date(2022, 12, 31))
    assert parse_quarter("2024-q1") == (date(2024, 1, 1), date(2024, 3, 31))
    with pytest.raises(DomainError):
        parse_quarter("2022-T5")


def test_poster_of_a_quarter_shows_effort_ticked_indicators_and_actions_done(runner, db, tmp_path):
    _site(db, effort=True)
    text = _text(runner, tmp_path, "--quarter", "2022-T4", name="poster-effort-fr")
    assert "4e trimestre 2022" in text
    assert "90 % des usagers satisfaits" in text
    assert "2,3/5 effort ressenti" in text
    # The tiles stand side by side: their values on one line, their names on the next.
    layout = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "poster-effort-fr.pdf"), "-"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    values = next(i for i, line in enumerate(layout) if "96 %" in line)
    assert "24 jours" in layout[values]
    assert "Taux d'appels décrochés" in layout[values + 1]
    assert "Délai moyen de délivrance des cartes" in layout[values + 1]
    assert "objectif : ≥ 90 %" in layout[values + 2] and "sans objectif fixé" in text
    assert "Visites au point d'accueil numérique" not in text  # not ticked
    assert "Vous nous avez dit… nous avons fait" in text
    assert "Mettre à jour la signalétique" in text
    assert "Développer le chatbot" not in text and "Former les agents" not in text
    for code in ("calls_answered", "issuance_delay_id", "realisee"):
        assert code not in text


def test_poster_without_effort_in_the_questionnaire_leaves_it_out(runner, db, tmp_path):
    _site(db, effort=False)
    text = _text(runner, tmp_path, "--from", "2022-10-01", "--to", "2022-12-31", name="poster-fr")
    assert "4e trimestre 2022" in text and "90 % des usagers satisfaits" in text
    assert "effort ressenti" not in text and "/5" not in text
    english = _text(runner, tmp_path, "--quarter", "2022-T4", "--lang", "en", name="poster-en")
    assert "Fourth quarter 2022" in english and "You told us… we did" in english
    assert "24 days" in english and "target: ≥ 90%" in english


def test_an_unticked_indicator_leaves_the_poster(db):
    site = _site(db, effort=False)
    calls = db.scalar(select(Indicator).where(Indicator.code == "calls_answered"))
    calls.on_poster = False
    db.commit()
    figures = poster_figures(db, site.code, date(2022, 10, 1), date(2022, 12, 31), TODAY)
    assert [r.indicator.code for r in figures.indicators] == ["issuance_delay_id"]
    assert figures.effort is None
    assert [a["title"] for a in figures.actions] == ["Mettre à jour la signalétique"]


def test_poster_takes_a_quarter_or_dates_not_both(runner, db, tmp_path):
    _site(db, effort=False)
    both = runner.invoke(
        args=["poster", "--site", "92-nanterre", "--quarter", "2022-T4", "--from", "2022-10-01",
              "--out", str(tmp_path / "x.pdf")]
    )  # fmt: skip
    assert both.exit_code != 0 and "--quarter" in both.output
    bad = runner.invoke(
        args=[
            "poster",
            "--site",
            "92-nanterre",
            "--quarter",
            "2022-4",
            "--out",
            str(tmp_path / "y"),
        ]
    )
    assert bad.exit_code != 0 and "trimestre" in bad.output


def test_the_fullest_poster_stays_on_one_page_under_its_bloc_marque(runner, db, tmp_path):
    # The demo's fourth quarter of 2022: four tiles, five actions done and the préfet's
    # two-line title above them all.
    site = _site(db, effort=True)
    site.official_title = "Préfet\ndes Hauts-de-Seine"
    _store(db, site, "issuance_delay_licence", "2022-12", 33)
    _store(db, site, "issuance_delay_registration", "2022-12", 8)
    for n, title in enumerate(
        (
            "Mettre à jour le serveur vocal interactif (SVI)",
            "Organiser l'autoévaluation et l'audit externe de labellisation de la "
            "sous-préfecture de Boulogne-Billancourt",
            "Réaliser les enquêtes de satisfaction sur les trois sites et les enquêtes mystère",
            "Réunir le comité local des usagers",
            "Refaire la signalétique du hall",
        )
    ):
        action = ActionInput(site_id=site.id, year=2022, title=title, status="realisee")
        create_action(db, action, date(2022, 10, 3 + n))
    db.commit()
    text = _text(runner, tmp_path, "--quarter", "2022-T4", name="poster-fullest-fr")  # 1 page
    assert text.startswith("Services Publics+ Transparence des résultats PRÉFET DES HAUTS-DE")
    assert "Réunir le comité local des usagers" in text and "et 1 autre action réalisée" in text
