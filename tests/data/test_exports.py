"""``avis export``: the import formats, formula cells neutralised, round trip."""

from __future__ import annotations

import csv

import pytest

from tests.data.conftest import RECLAMATION_HEADER
from tests.data.test_import_responses import ID1, ID2, ID3

# These tests pin the English messages; tests/data/test_spreadsheets.py the French ones.
pytestmark = pytest.mark.usefixtures("english")


def export_header(runner, tmp_path, what):
    out = tmp_path / f"{what}.csv"
    result = runner.invoke(args=["export", what, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def response_file(runner):
    # Columns in the export's order: every criterion, in creation order.
    from sqlalchemy import select

    from surveys.models import Criterion

    app = runner.app
    with app.app_context():
        session = app.extensions["avis_sessionmaker"]()
        codes = list(session.scalars(select(Criterion.code).order_by(Criterion.id)))
        session.close()
    header = [
        "response_id",
        "submitted_at",
        "site",
        "service",
        "channel",
        "language",
        *codes,
        "comment",
    ]

    def row(response_id, when, site, service, channel, language, ratings, comment):
        return [
            response_id,
            when,
            site,
            service,
            channel,
            language,
            *(str(ratings.get(c, "")) for c in codes),
            comment,
        ]

    return [
        header,
        row(
            ID1,
            "2022-03-24T10:15:00+01:00",
            "92-nanterre",
            "accueil",
            "paper",
            "fr",
            {"overall": 4, "courtesy": 5},
            "Accueil agréable,\nmais long",
        ),
        row(
            ID2,
            "2022-07-01T09:00:00+02:00",
            "92-nanterre",
            "etrangers",
            "qr",
            "ar",
            {"waiting_time": 1},
            "'=1+1",
        ),
        row(
            ID3,
            "2022-11-30T16:45:00+01:00",
            "92-antony",
            "accueil",
            "kiosk",
            "es",
            {"overall": 5},
            "",
        ),
    ]


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_responses_round_trip_import_export_identical(runner, sites, write_csv, tmp_path):
    rows = response_file(runner)
    assert runner.invoke(args=["import", "responses", str(write_csv(rows))]).exit_code == 0
    assert read(export_header(runner, tmp_path, "responses")) == rows
    # And the export imports back as "already stored".
    again = runner.invoke(args=["import", "responses", str(tmp_path / "responses.csv")])
    assert "3 already stored" in again.output


def test_export_filters_on_dates_and_sites(runner, sites, write_csv, tmp_path):
    runner.invoke(args=["import", "responses", str(write_csv(response_file(runner)))])
    out = tmp_path / "part.csv"
    runner.invoke(
        args=[
            "export",
            "responses",
            "--from",
            "2022-06-01",
            "--to",
            "2022-12-31",
            "--site",
            "92-nanterre",
            "--out",
            str(out),
        ]
    )
    assert [r[0] for r in read(out)[1:]] == [ID2]


def test_every_formula_trigger_is_neutralised_and_restored(runner, db, sites, write_csv, tmp_path):
    texts = ["=SUM(A1)", "+33 1 40 97", "-2 jours", "@cmd", "\tindent", "\rretour"]
    rows = [list(RECLAMATION_HEADER)] + [
        [f"REF-{i}", "suggestion", "urne", "92-nanterre", "", "other", "2022-05-02", "", "", text]
        for i, text in enumerate(texts)
    ]
    result = runner.invoke(args=["import", "reclamations", str(write_csv(rows))])
    assert result.exit_code == 0, result.output
    exported = read(export_header(runner, tmp_path, "reclamations"))
    assert [r[-1] for r in exported[1:]] == ["'" + t for t in texts]
    db.execute(__import__("sqlalchemy").text("DELETE FROM reclamation_event"))
    db.execute(__import__("sqlalchemy").text("DELETE FROM reclamation"))
    db.commit()
    result = runner.invoke(args=["import", "reclamations", str(tmp_path / "reclamations.csv")])
    assert result.exit_code == 0, result.output
    assert read(export_header(runner, tmp_path, "reclamations")) == exported
    from sqlalchemy import select

    from surveys.models import Reclamation

    assert sorted(db.scalars(select(Reclamation.text))) == sorted(texts)
    db.rollback()


def test_reclamations_round_trip(runner, sites, write_csv, tmp_path):
    from tests.data.test_import_sites_reclamations import reclamation_rows

    rows = reclamation_rows()
    runner.invoke(args=["import", "reclamations", str(write_csv(rows))])
    exported = read(export_header(runner, tmp_path, "reclamations"))
    assert exported[0] == rows[0]
    assert sorted(exported[1:]) == sorted(rows[1:])


def test_export_dates_are_days_of_each_sites_own_calendar(runner, db, tmp_path):
    # 31 December 2022, 21:30 UTC: 22:30 in Paris, already 1 January 2023 in La Réunion.
    from datetime import UTC, datetime

    from tests.factories import make_response, make_service, make_site

    reunion = make_service(db, make_site(db, "974-st-denis", "Préfecture", "974", "Indian/Reunion"))
    paris = make_service(db, make_site(db))
    at = datetime(2022, 12, 31, 21, 30, tzinfo=UTC)
    in_reunion = make_response(db, reunion, submitted_at=at).response_id
    in_paris = make_response(db, paris, submitted_at=at).response_id
    db.commit()

    def exported(*days):
        out = tmp_path / "part.csv"
        result = runner.invoke(args=["export", "responses", *days, "--out", str(out)])
        assert result.exit_code == 0, result.output
        return {r[0] for r in read(out)[1:]}

    assert exported("--from", "2022-12-31", "--to", "2022-12-31") == {in_paris}
    assert exported("--from", "2023-01-01", "--to", "2023-01-01") == {in_reunion}


def test_an_export_in_several_batches_gives_every_row_once_in_order(db, monkeypatch):
    """Rows are read in batches by (time, id): rows sharing a time across a batch's edge
    are neither repeated nor skipped."""
    from datetime import UTC, datetime, timedelta

    from surveys import exports
    from surveys.response_writes import insert_responses
    from tests.analysis.helpers import new_response
    from tests.factories import make_service

    monkeypatch.setattr(exports, "BATCH", 2)
    service = make_service(db)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    times = [at, at, at, at + timedelta(minutes=1), at + timedelta(minutes=1), at]
    rows = [new_response(db, service, when, {"overall": 4}) for when in times]
    insert_responses(db, rows)
    db.commit()
    exported = list(exports.response_rows(db))[1:]
    ids = [row[0] for row in exported]
    assert sorted(ids) == sorted(r.response_id for r in rows) and len(set(ids)) == len(rows)
    assert [row[1] for row in exported] == sorted(row[1] for row in exported)
