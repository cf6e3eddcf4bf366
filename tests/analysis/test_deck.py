"""``avis report --format pptx``: the committee's deck, with native charts and tables."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pptx import Presentation

from surveys.response_writes import insert_responses
from tests.factories import make_service, make_site, make_user

from .helpers import new_response


@pytest.fixture
def two_years(db):
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    etrangers = make_service(db, antony, "etrangers", "Bureau des étrangers")
    rows = []
    for year, good in ((2021, 18), (2022, 27)):
        at = datetime(year, 3, 10, 10, tzinfo=UTC)
        ratings = [5] * good + [2] * (30 - good)
        rows += [
            new_response(
                db, etrangers, at, {"overall": r, "waiting_time": r}, comment=f"{year}-{i}"
            )
            for i, r in enumerate(ratings)
        ]
    insert_responses(db, rows)
    make_user(db, "quality", "quality@example.org")
    db.commit()


def _deck(runner, tmp_path, *extra):
    out = tmp_path / "deck.pptx"
    args = ["report", "--from", "2022-01-01", "--to", "2022-12-31", "--format", "pptx"]
    result = runner.invoke(args=[*args, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return Presentation(str(out))


def _texts(slide) -> list[str]:
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found.append(shape.text_frame.text)
        if shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


def test_deck_has_a_title_slide_then_sections_with_native_charts_and_tables(
    runner, two_years, tmp_path
):
    deck = _deck(runner, tmp_path)
    slides = list(deck.slides)
    title = "\n".join(_texts(slides[0]))
    assert "Comité local des usagers" in title and "1er janvier 2022 – 31 décembre 2022" in title
    by_title = {slide.shapes.title.text: slide for slide in slides[1:]}
    criteria = by_title["Satisfaction par critère"]
    assert any(shape.has_chart for shape in criteria.shapes)
    table = next(shape.table for shape in criteria.shapes if shape.has_table)
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["Critère", "2022", "2021", "Écart"]
    overall = [cell.text for cell in table.rows[1].cells]
    # 27 of 30 against 18 of 30: +30 points, beyond chance.
    assert overall[1:] == ["90,0\u00a0% (n = 30)", "60,0\u00a0% (n = 30)", "+30,0\u00a0pts *"]
    chart = next(shape.chart for shape in criteria.shapes if shape.has_chart)
    assert [s.name for s in chart.plots[0].series] == ["2022", "2021"]
    assert {"Répondants par site et service", "Ce que disent les usagers"} <= set(by_title)
    everything = " ".join(t for slide in slides for t in _texts(slide))
    assert "Bureau des étrangers" in everything and "etrangers" not in everything
    assert "92-antony" not in everything and "overall" not in everything


def test_in_brief_counts_sites_in_the_singular_for_one(runner, two_years, tmp_path):
    deck = _deck(runner, tmp_path)
    by_title = {slide.shapes.title.text: slide for slide in list(deck.slides)[1:]}
    brief = " ".join(_texts(by_title["En bref"]))
    assert "30 usagers ont répondu à l'enquête (1 site)." in brief
    english = _deck(runner, tmp_path, "--lang", "en")
    brief = " ".join(_texts({s.shapes.title.text: s for s in english.slides}["In brief"]))
    assert "30 users answered the survey (1 site)." in brief


def test_deck_is_set_in_marianne_like_the_pages(runner, two_years, tmp_path):
    from pptx.opc.constants import RELATIONSHIP_TYPE

    deck = _deck(runner, tmp_path)
    theme = deck.slide_master.part.part_related_by(RELATIONSHIP_TYPE.THEME).blob.decode()
    heading = theme.split("<a:majorFont>")[1].split("</a:majorFont>")[0]
    body = theme.split("<a:minorFont>")[1].split("</a:minorFont>")[0]
    assert '<a:latin typeface="Marianne"/>' in heading
    assert '<a:latin typeface="Marianne"/>' in body
    # No text names a face of its own, so every one takes the theme's.
    slide_xml = b"".join(slide.part.blob for slide in deck.slides)
    assert b"<a:latin " not in slide_xml


def test_english_deck_speaks_english(runner, two_years, tmp_path):
    deck = _deck(runner, tmp_path, "--lang", "en")
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[0] == "Local users' committee"
    assert "Satisfaction by criterion" in titles and "Satisfaction par critère" not in titles
    everything = " ".join(t for slide in deck.slides for t in _texts(slide))
    assert "1 January 2022" in everything and "Écart" not in everything


def test_dashboard_offers_the_deck(client, auth, two_years):
    auth.login()
    page = client.get("/backoffice/dashboard?from=2022-01-01&to=2022-12-31").get_data(True)
    assert "format=pptx" in page
    answer = client.get("/backoffice/dashboard/export?format=pptx&from=2022-01-01&to=2022-12-31")
    assert answer.status_code == 200
    assert answer.mimetype.endswith("presentationml.presentation")
    assert len(Presentation(io.BytesIO(answer.data)).slides) > 5
