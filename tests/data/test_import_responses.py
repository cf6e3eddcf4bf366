"""``avis import responses``: every bad line named, nothing half-imported, idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveys.models import Answer, Response
from tests.data.conftest import RESPONSE_HEADER

# These tests pin the English messages; tests/data/test_spreadsheets.py the French ones.
pytestmark = pytest.mark.usefixtures("english")

ID1 = "3f1c9a52-5a9e-4c51-9d0e-1a2b3c4d5e01"
ID2 = "3f1c9a52-5a9e-4c51-9d0e-1a2b3c4d5e02"
ID3 = "3f1c9a52-5a9e-4c51-9d0e-1a2b3c4d5e03"


def good_rows():
    return [
        list(RESPONSE_HEADER),
        [
            ID1,
            "2022-03-24T10:15:00+01:00",
            "92-nanterre",
            "accueil",
            "paper",
            "fr",
            "5",
            "3",
            "4",
            "Très bon accueil",
        ],
        [
            ID2,
            "2022-03-24T11:00:00+01:00",
            "92-nanterre",
            "etrangers",
            "qr",
            "ar",
            "4",
            "",
            "2",
            "",
        ],
        [
            ID3,
            "2022-03-25T09:30:00+01:00",
            "92-antony",
            "accueil",
            "kiosk",
            "en",
            "",
            "",
            "5",
            '=HYPERLINK("x")',
        ],
    ]


def count(db, model=Response) -> int:
    """Count rows, ending the read so that the next command can write."""
    value = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return value


def test_valid_file_is_stored_with_answers(runner, db, sites, write_csv):
    result = runner.invoke(args=["import", "responses", str(write_csv(good_rows()))])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    assert count(db) == 3
    assert count(db, Answer) == 3 + 2 + 1
    stored = db.scalar(select(Response).where(Response.response_id == ID2))
    db.rollback()
    assert stored.language == "ar" and stored.comment is None
    assert stored.submitted_at.hour == 10  # 11:00 in Paris is 10:00 UTC in March


def test_reimporting_the_same_file_stores_nothing_new(runner, db, sites, write_csv):
    path = str(write_csv(good_rows()))
    assert runner.invoke(args=["import", "responses", path]).exit_code == 0
    again = runner.invoke(args=["import", "responses", path])
    assert again.exit_code == 0, again.output
    assert "0 created" in again.output and "3 already stored" in again.output
    assert count(db) == 3


def test_known_id_with_other_content_conflicts(runner, db, sites, write_csv):
    assert runner.invoke(args=["import", "responses", str(write_csv(good_rows()))]).exit_code == 0
    changed = good_rows()
    changed[1][8] = "1"
    result = runner.invoke(args=["import", "responses", str(write_csv(changed))])
    assert result.exit_code != 0
    assert "line 2, column response_id: conflicts with the stored response" in result.output


BAD_CELLS = [
    (2, "site", "92-nowhere", "unknown site '92-nowhere'"),
    (3, "service", "cert", "unknown service 'cert' at site 92-nanterre"),
    (2, "overall", "7", "rating 7 is not between 1 and 5"),
    (3, "courtesy", "abc", "rating 'abc' is not a whole number from 1 to 5"),
    (4, "submitted_at", "hier", "'hier' is not a date and time"),
    (2, "response_id", "not-a-uuid", "'not-a-uuid' is not a UUID"),
    (3, "channel", "fax", "unknown channel 'fax'"),
    (4, "language", "xx", "unknown language 'xx'"),
]


def test_each_kind_of_bad_cell_is_named_by_line_and_column_and_nothing_is_stored(
    runner, db, sites, write_csv
):
    for line, column, value, reason in BAD_CELLS:
        rows = good_rows()
        rows[line - 1][RESPONSE_HEADER.index(column)] = value
        result = runner.invoke(args=["import", "responses", str(write_csv(rows))])
        assert result.exit_code != 0, (column, value)
        assert f"line {line}, column {column}: {reason}" in result.output, result.output
        assert "nothing was imported" in result.output
        assert count(db) == 0


def test_every_bad_line_is_reported_not_only_the_first(runner, db, sites, write_csv):
    rows = good_rows()
    rows[1][RESPONSE_HEADER.index("overall")] = "9"
    rows[3][RESPONSE_HEADER.index("site")] = "nope"
    result = runner.invoke(args=["import", "responses", str(write_csv(rows))])
    assert "line 2, column overall" in result.output
    assert "line 4, column site" in result.output
    assert "2 errors, nothing was imported" in result.output


def test_a_bad_line_after_a_full_chunk_still_stores_nothing(db, sites, write_csv):
    import uuid

    import pytest

    from surveys.csvformat import ImportRefused
    from surveys.import_responses import import_responses

    rows = [RESPONSE_HEADER] + [
        [
            str(uuid.uuid4()),
            "2022-05-02T10:00:00+02:00",
            "92-nanterre",
            "accueil",
            "paper",
            "fr",
            "5",
            "5",
            "5",
            "",
        ]
        for _ in range(25)
    ]
    rows[-1][RESPONSE_HEADER.index("overall")] = "0"
    with pytest.raises(ImportRefused) as refused:
        import_responses(db, write_csv(rows), chunk=10)
    db.rollback()
    assert refused.value.lines("en") == ["line 26, column overall: rating 0 is not between 1 and 5"]
    assert count(db) == 0


def test_duplicate_id_inside_the_file_is_refused(runner, db, sites, write_csv):
    rows = good_rows()
    rows[3][0] = ID1
    result = runner.invoke(args=["import", "responses", str(write_csv(rows))])
    assert "line 4, column response_id: duplicate of line 2" in result.output
    assert count(db) == 0


def test_missing_and_unknown_columns_are_refused(runner, db, sites, write_csv):
    rows = [r[:1] + r[2:] for r in good_rows()]  # no submitted_at
    result = runner.invoke(args=["import", "responses", str(write_csv(rows))])
    assert "line 1, column submitted_at: missing column" in result.output
    rows = good_rows()
    rows[0][RESPONSE_HEADER.index("courtesy")] = "politesse"
    result = runner.invoke(args=["import", "responses", str(write_csv(rows))])
    assert "line 1, column politesse: unknown column" in result.output
    assert count(db) == 0


def test_file_in_neither_utf8_nor_windows_1252_is_refused(runner, db, sites, tmp_path):
    rows = good_rows()
    rows[1][-1] = "Très bien, merci à l'équipe"
    path = tmp_path / "dos.csv"
    path.write_bytes("\r\n".join(",".join(row) for row in rows).encode("cp850"))
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "line 2: the file is encoded neither in UTF-8 nor in Windows-1252" in result.output
    assert "CSV UTF-8 (Comma delimited)" in result.output
    assert count(db) == 0


def test_criterion_outside_the_questionnaire_is_refused(runner, db, sites, write_csv):
    rows = good_rows()
    rows[0][RESPONSE_HEADER.index("courtesy")] = "effort"
    result = runner.invoke(args=["import", "responses", str(write_csv(rows))])
    assert "line 2, column effort: this criterion is not in the questionnaire" in result.output


def test_progress_counts_every_row_read(db, sites, write_csv):
    from surveys.import_responses import import_responses

    seen = []
    import_responses(db, write_csv(good_rows()), progress=seen.append, chunk=2)
    assert sum(seen) == 3


def test_imported_responses_are_in_the_tallies_as_a_rebuild_would_count_them(db, sites, write_csv):
    from surveys.import_responses import import_responses
    from surveys.models import HourTally, MixTally, RatingTally
    from surveys.tallies import rebuild_tallies

    def snapshot():
        return {
            model.__name__: sorted(
                tuple(getattr(row, c.name) for c in model.__table__.columns if c.name != "id")
                for row in db.scalars(select(model))
            )
            for model in (RatingTally, HourTally, MixTally)
        }

    import_responses(db, write_csv(good_rows()), chunk=2)
    db.flush()
    imported = snapshot()
    assert imported["RatingTally"]
    rebuild_tallies(db)
    db.flush()
    assert snapshot() == imported
    db.rollback()


def test_a_responses_file_read_from_a_pipe_is_imported(db, sites, avis_reading_stdin):
    """``avis import responses /dev/stdin``: the progress bar must not read the pipe first."""
    done = avis_reading_stdin(["import", "responses", "/dev/stdin"], good_rows())
    assert done.returncode == 0, done.stderr
    assert "3 created" in done.stdout
    assert count(db) == 3
