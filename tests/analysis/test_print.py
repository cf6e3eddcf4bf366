"""The printed documents in the État's typeface, under the bloc marque of their site.

The report (HTML and PDF) and the transparency poster are set in Marianne from the
vendored DSFR files and headed by the DSFR's logo with the site's official title, as the
pages are; a document of several sites with different titles is headed by the State's."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime

import pytest

from analysis.filters import ReportFilters
from analysis.poster import poster_figures, poster_pdf
from analysis.render import report_html, report_pdf
from analysis.report import build_report
from tests.factories import make_service, make_site

from .helpers import store

TODAY = date(2026, 3, 2)


@pytest.fixture
def two_sites(db):
    nanterre = make_site(db)
    nanterre.official_title = "Préfet\ndes Hauts-de-Seine"
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    antony.official_title = "Sous-préfet\nd'Antony"
    for site in (nanterre, antony):
        service = make_service(db, site, "accueil")
        store(db, service, datetime(2026, 2, 3, 10, tzinfo=UTC), {"overall": 5, "courtesy": 4})
    db.commit()
    return nanterre, antony


def _report(db, *sites: str):
    filters = ReportFilters(date(2026, 2, 1), date(2026, 2, 28), list(sites))
    return build_report(db, filters, today=TODAY)


def _pdf_text_and_fonts(tmp_path, data: bytes) -> tuple[str, str]:
    out = tmp_path / "document.pdf"
    out.write_bytes(data)
    text = subprocess.run(["pdftotext", "-l", "1", out, "-"], capture_output=True, text=True)
    fonts = subprocess.run(["pdffonts", out], capture_output=True, text=True)
    return text.stdout, fonts.stdout


def test_the_pdf_report_of_one_site_is_in_marianne_under_its_official_title(
    db, two_sites, tmp_path
):
    text, fonts = _pdf_text_and_fonts(tmp_path, report_pdf(db, _report(db, "92-nanterre")))
    assert "PRÉFET\nDES HAUTS-DE-SEINE" in text  # the title's own lines, as the DSFR writes them
    embedded = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert {"Marianne", "Marianne-Bold"} <= embedded
    assert not any("DejaVu" in name for name in embedded)  # French needs no fallback


def test_a_report_of_sites_with_different_titles_is_headed_by_the_republic(db, two_sites):
    html = report_html(db, _report(db))
    assert '<p class="fr-logo">République française</p>' in html
    assert "Sous-préfet" not in html


def test_the_html_report_carries_its_fonts_and_logo_and_fetches_nothing(db, two_sites):
    html = report_html(db, _report(db, "92-antony"), "en")
    assert '<p class="fr-logo">Sous-préfet<br>d&#39;Antony</p>' in html
    faces = re.findall(r"@font-face \{[^}]*\}", html)
    assert len(faces) == 3 and all('url("data:font/woff2;base64,' in face for face in faces)
    addresses = re.findall(r"""(?:url\(|src=|href=)["']?([^"')\s>]+)""", html)
    assert addresses and all(a.startswith(("data:", "#", "%23")) for a in addresses)


def test_the_transparency_poster_is_headed_by_its_sites_bloc_marque(db, two_sites, tmp_path):
    figures = poster_figures(db, "92-antony", date(2026, 1, 1), date(2026, 3, 31), TODAY)
    qr = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1"/></svg>'
    text, fonts = _pdf_text_and_fonts(tmp_path, poster_pdf(figures, qr, "https://avis.example.fr"))
    assert "SOUS-PRÉFET\nD'ANTONY" in text and "Sous-préfecture d'Antony" in text
    assert "Marianne" in fonts
