"""QR codes and posters: from the CLI and the back office, pointing to a signed link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveys.models import Tablet
from tests.factories import make_service, make_user


@pytest.fixture
def service(db):
    found = make_service(db, code="etrangers", name="Bureau du séjour des étrangers")
    db.commit()
    return found


def test_qr_url_is_signed_and_opens_the_survey(runner, client, service):
    result = runner.invoke(args=["qr", "--site", "92-nanterre", "--service", "etrangers", "--url"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()  # the localhost warning goes to stderr
    assert url.startswith("http://localhost/q/") and len(url) < 120
    page = client.get(url.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Bureau du séjour des étrangers" in page.get_data(True)


@pytest.mark.parametrize(
    ("suffix", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")]
)
def test_qr_command_writes_png_svg_or_a4_poster(runner, service, tmp_path, suffix, magic):
    out = tmp_path / f"poster.{suffix}"
    result = runner.invoke(
        args=["qr", "--site", "92-nanterre", "--service", "etrangers", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_poster_pdf_names_the_site_and_service_and_the_languages(runner, db, service, tmp_path):
    import subprocess

    service.site.official_title = "Préfet\ndes Hauts-de-Seine"
    db.commit()
    out = tmp_path / "poster.pdf"
    runner.invoke(args=["qr", "--site", "92-nanterre", "--service", "etrangers", "--out", str(out)])
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert text.startswith("PRÉFET\nDES HAUTS-DE-SEINE")  # the bloc marque heads it
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    # Marianne for French; its fallback draws the Arabic and Cyrillic taglines.
    assert "+Marianne-Bold " in fonts and "+DejaVu-Sans " in fonts
    assert "Donnez votre avis" in text
    assert "Préfecture des Hauts-de-Seine" in text and "Bureau du séjour des étrangers" in text
    assert "Tell us what you think" in text and "Поділіться думкою" in text
    assert "http://localhost/avis" in text


def test_qr_command_refuses_unknown_service_and_bad_suffix(runner, service, tmp_path):
    args = ["qr", "--site", "92-nanterre", "--service", "x", "--url"]
    unknown = runner.invoke(args=args, env={"LC_ALL": "C"})  # C: French, the reference
    assert unknown.exit_code != 0 and "site ou service inconnu : 92-nanterre/x" in unknown.output
    unknown = runner.invoke(args=args, env={"LC_ALL": "en_GB.UTF-8"})
    assert "unknown site or service: 92-nanterre/x" in unknown.output
    bad = runner.invoke(
        args=[
            "qr",
            "--site",
            "92-nanterre",
            "--service",
            "etrangers",
            "--out",
            str(tmp_path / "a.gif"),
        ]
    )
    assert bad.exit_code != 0


def test_tablets_add_prints_a_one_time_enrolment_link(runner, client, db, service):
    result = runner.invoke(
        args=[
            "tablets",
            "add",
            "--site",
            "92-nanterre",
            "--service",
            "etrangers",
            "--name",
            "Hall A",
        ],
        env={"LC_ALL": "C"},
    )
    assert result.exit_code == 0, result.output
    link = result.output.split("(une seule fois) : ")[1].strip()
    assert "/kiosk/enrol/" in link
    assert db.scalar(select(func.count()).select_from(Tablet)) == 1
    db.rollback()
    path = link.removeprefix("http://localhost")
    assert client.post(path).status_code == 302
    assert client.get("/kiosk/").status_code == 200


def test_back_office_posters_page_for_the_quality_mission_only(client, auth, db, service):
    make_user(db, email="quality@example.org", role="quality")
    make_user(db, email="agent@example.org", role="agent")
    db.commit()
    auth.login("agent@example.org")
    assert client.get("/backoffice/posters").status_code == 403
    auth.logout()
    auth.login("quality@example.org")
    page = client.get("/backoffice/posters")
    assert page.status_code == 200 and "Bureau du séjour des étrangers" in page.get_data(True)
    png = client.get("/backoffice/posters/92-nanterre/etrangers.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert client.get("/backoffice/posters/92-nanterre/nope.pdf").status_code == 404
    assert client.get("/backoffice/posters/92-nanterre/etrangers.exe").status_code == 404
