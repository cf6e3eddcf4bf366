import csv
import io
import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from surveys.response_writes import insert_responses
from tests.factories import make_service, make_site, make_user

from .helpers import new_response, store

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "analysis" / "schemas" / "report.schema.json").read_text()
)
FORMULA = '=HYPERLINK("http://evil")'


@pytest.fixture
def sample(db):
    nanterre = make_site(db)
    accueil = make_service(db, nanterre, "accueil")
    etrangers = make_service(db, nanterre, "etrangers", "Étrangers")
    antony = make_service(db, make_site(db, "92-antony", "Sous-préfecture d'Antony"), "accueil")
    rows = []
    for day in range(1, 29):
        for service, base in ((accueil, 5), (etrangers, 3), (antony, 4)):
            at = datetime(2026, 1, day, 9 + day % 8, tzinfo=UTC)
            ratings = {"courtesy": base, "overall": max(1, base - day % 3), "effort": 2}
            rows.append(new_response(db, service, at, ratings))
            at = datetime(2026, 2, day, 9 + day % 8, tzinfo=UTC)
            rows.append(new_response(db, service, at, {"courtesy": 4, "waiting_time": 1 + day % 5}))
    insert_responses(db, rows)
    store(db, etrangers, datetime(2026, 1, 5, 10, tzinfo=UTC), {"waiting_time": 1}, comment=FORMULA)
    store(
        db,
        accueil,
        datetime(2026, 1, 6, 10, tzinfo=UTC),
        {"courtesy": 5},
        comment="Très bon accueil",
    )
    make_user(db, "quality", "quality@example.org")
    make_user(db, "viewer", "viewer@example.org", scopes=[("92-antony", None)])
    db.commit()


def test_api_report_returns_the_documented_json_to_a_quality_user(client, auth, sample):
    auth.login()
    answer = client.get("/api/v1/report?from=2026-01-01&to=2026-01-31&site=92-nanterre")
    assert answer.status_code == 200
    jsonschema.validate(answer.json, SCHEMA)
    assert {row["site"] for row in answer.json["satisfaction"]} == {"92-nanterre", None}
    total = next(
        r for r in answer.json["satisfaction"] if r["site"] is None and r["criterion"] == "courtesy"
    )
    assert (total["n"], total["satisfied"]) == (57, 29)


def test_api_report_names_the_bad_field(client, auth, sample):
    auth.login()
    assert client.get("/api/v1/report?from=2026-13-01").json["field"] == "from"
    answer = client.get("/api/v1/report?site=nowhere")
    assert (answer.status_code, answer.json["field"]) == (422, "site")
    assert answer.json["message"] == "Unknown site: nowhere"  # the API's language, English


def test_api_report_is_refused_to_a_viewer(client, auth, sample):
    auth.login("viewer@example.org")
    assert client.get("/api/v1/report").status_code == 403


def test_cli_json_report_validates_against_the_schema(runner, sample, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-28",
            "--format",
            "json",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["period"] == {"from": "2026-01-01", "to": "2026-02-28"}


def test_csv_export_neutralises_usager_comments(runner, sample, tmp_path):
    out = tmp_path / "report.csv"
    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--format",
            "csv",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells


def test_csv_report_opens_in_a_french_spreadsheet_with_names_and_decimal_commas(
    runner, sample, tmp_path
):
    out = tmp_path / "report.csv"
    args = ["report", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv"]
    assert runner.invoke(args=[*args, "--out", str(out)]).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert ["Période", "1er janvier 2026 – 31 janvier 2026"] in rows
    header = rows.index(next(r for r in rows if r[:3] == ["Site", "Service", "Critère"]))
    every_site = [r for r in rows[header:] if r[:2] == ["Tous les sites", ""]]
    courtesy = next(r for r in every_site if r[2].startswith("Courtoisie"))
    # 28 × (5 at the accueil, 3 at the étrangers, 4 at Antony) + 1 courtesy 5: 57 of 85.
    assert courtesy[3:6] == ["85", "57", "67,1"]
    assert "92-nanterre" not in raw.decode("utf-8-sig")
    english = tmp_path / "report-en.csv"
    assert runner.invoke(args=[*args, "--lang", "en", "--out", str(english)]).exit_code == 0
    rows = list(csv.reader(io.StringIO(english.read_text("utf-8-sig"))))
    assert any(r[:2] == ["All sites", ""] and r[5] == "67.1" for r in rows)


def test_xlsx_has_one_sheet_per_table_filters_on_top_and_formatted_rates(runner, sample, tmp_path):
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--site",
            "92-nanterre",
            "--format",
            "xlsx",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert {
        "satisfaction",
        "categories",
        "hours",
        "channels",
        "languages",
        "reclamations",
        "comments",
        "responses",
    } <= set(book.sheetnames)
    sheet = book["satisfaction"]
    assert sheet["A1"].value == "Satisfaction par critère"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Sites", "Préfecture des Hauts-de-Seine"] == values[4][:2]
    header = next(i for i, row in enumerate(values) if row[:2] == ["Site", "Service"]) + 1
    assert sheet.freeze_panes == f"A{header + 1}"
    rate = sheet.cell(row=header + 1, column=6)
    assert rate.number_format == "0.0%" and 0 <= rate.value <= 1
    comments = [c.value for row in book["comments"].iter_rows() for c in row]
    assert "'" + FORMULA in comments and FORMULA not in comments


def test_english_report_is_translated(runner, sample, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-28",
            "--format",
            "html",
            "--out",
            str(out),
            "--lang",
            "en",
        ]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Satisfaction by criterion" in html
    assert "<script" not in html and "<svg" in html


def test_html_report_in_french_formats_percentages_the_french_way(runner, sample, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-28",
            "--format",
            "html",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Satisfaction par critère" in html
    # courtesy, every site, January and February: (28 + 28 + 1 + 84) of (84 + 1 + 84)
    assert "83,4\u00a0%" in html


def test_pdf_report_renders_to_a4_pages(runner, sample, tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(
        args=[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-28",
            "--format",
            "pdf",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    artifacts = Path("test-artifacts/report")
    artifacts.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (artifacts / page.name).write_bytes(page.read_bytes())


def test_transparency_poster_shows_the_site_figures_and_its_qr_code(runner, sample, tmp_path):
    from analysis.poster import poster_figures

    out = tmp_path / "poster.pdf"
    result = runner.invoke(
        args=[
            "poster",
            "--site",
            "92-nanterre",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "poster")], check=True)
    pages = sorted(tmp_path.glob("poster-*.png"))
    assert len(pages) == 1  # one A4 page
    artifacts = Path("test-artifacts/report")
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "poster.png").write_bytes(pages[0].read_bytes())
    # Closed here: a connection left to the garbage collector outlives the test's database.
    with runner.app.extensions["avis_sessionmaker"]() as session:
        figures = poster_figures(
            session, "92-nanterre", date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1)
        )
    # overall at Nanterre in January: accueil rates 5, 4, 3 in turn (19 of 28 days satisfied),
    # étrangers 3, 2, 1 (never): 19 of 56.
    assert (figures.criterion, figures.satisfaction_n) == ("overall", 56)
    assert figures.satisfaction == pytest.approx(19 / 56)
