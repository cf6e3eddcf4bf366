"""Usagers' text is harmless wherever it is shown: back-office comments and réclamations,
the HTML report, the emails, and the CSV exports (no formula runs in a spreadsheet)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import PASSWORD, make_response, make_service, make_user

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">clic</a>',
    "{{7*7}} {% raw %}",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example","clic")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def quality(app, db):
    make_user(db, "quality")
    db.commit()
    client = app.test_client()
    client.post("/auth/login", data={"email": "quality@example.org", "password": PASSWORD})
    return client


def no_live_markup(html: str) -> None:
    body = html.split("<main", 1)[1]
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert 'href="javascript:' not in body


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_in_a_comment_is_shown_as_text_in_the_back_office(quality, db, text):
    make_response(db, comment=f"Accueil {text}")
    db.commit()
    db.close()
    page = quality.get("/backoffice/comments")
    assert page.status_code == 200
    no_live_markup(page.text)
    assert "&lt;" in page.text or "{{7*7}}" in page.text


def test_a_bidi_override_in_a_comment_is_neutralised_where_shown(quality, db):
    make_response(db, comment="facture\u202egnp.exe et \u2066isolé\u2069")
    db.commit()
    db.close()
    page = quality.get("/backoffice/comments")
    assert "facturegnp.exe" in page.text
    assert not any(
        ch in page.text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


@pytest.mark.parametrize("text", HOSTILE[:3])
def test_markup_in_a_reclamation_is_shown_as_text_in_the_inbox(app, quality, db, text):
    from surveys.models import ReclamationCategory
    from surveys.reclamations import NewReclamation, create_reclamation

    make_service(db)
    category = db.query(ReclamationCategory).first().code
    rec, _ = create_reclamation(
        db,
        NewReclamation(
            kind="reclamation",
            channel="web",
            category=category,
            site="92-nanterre",
            service="accueil",
            text=f"Plainte {text}",
        ),
    )
    rec_id = rec.id
    db.commit()
    db.close()
    for path in ["/backoffice/reclamations", f"/backoffice/reclamations/{rec_id}"]:
        page = quality.get(path)
        assert page.status_code == 200, path
        no_live_markup(page.text)


@pytest.mark.parametrize("text", HOSTILE[:2])
def test_markup_in_a_comment_stays_text_in_the_html_report(quality, db, text):
    make_response(db, comment=f"Accueil {text}")
    db.commit()
    db.close()
    report = quality.get("/backoffice/dashboard/export?format=html")
    if report.status_code == 404:
        pytest.skip("no HTML report format on the dashboard")
    assert report.status_code == 200
    assert "<script>alert" not in report.text and "<img src=x" not in report.text


def test_markup_in_a_reclamation_is_plain_text_in_the_acknowledgement_email(client, db):
    from sqlalchemy import select

    from surveys.models import OutboxMessage, ReclamationCategory

    make_service(db)
    category = db.scalar(select(ReclamationCategory.code))
    db.commit()
    db.close()
    import uuid

    response = client.post(
        "/api/v1/reclamations",
        json={
            "reclamation_id": str(uuid.uuid4()),
            "site": "92-nanterre",
            "service": "accueil",
            "channel": "web",
            "kind": "reclamation",
            "category": category,
            "text": "<script>alert(1)</script>",
            "reply_wanted": True,
            "contact_name": "<b>Camille</b>",
            "contact_email": "camille@example.org",
        },
    )
    assert response.status_code == 201
    db.rollback()
    for message in db.scalars(select(OutboxMessage)):
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.to_address == "camille@example.org"
    db.rollback()


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_in_comments_are_neutralised_in_the_csv_export(runner, db, tmp_path, formula):
    make_response(db, comment=formula)
    db.commit()
    db.close()
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "responses", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(
        cell[:1] in ("=", "+", "-", "@", "\t", "\r") and cell != "-"
        for cell in cells
        if cell and not cell.lstrip("-").replace(".", "").isdigit()
    ), cells
