"""``avis import sites`` and ``avis import reclamations``."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from surveys.models import Reclamation, ReferenceCounter, Service, Site
from tests.data.conftest import RECLAMATION_HEADER

# These tests pin the English messages; tests/data/test_spreadsheets.py the French ones.
pytestmark = pytest.mark.usefixtures("english")

SITES = [
    ["site", "site_name", "departement", "service", "service_name"],
    ["92-nanterre", "Préfecture des Hauts-de-Seine", "92", "accueil", "Accueil général"],
    ["92-nanterre", "Préfecture des Hauts-de-Seine", "92", "etrangers", "Bureau des étrangers"],
    ["974-saint-denis", "Préfecture de La Réunion", "974", "accueil", "Accueil général"],
]


def scalar(db, query):
    value = db.scalar(query)
    db.rollback()
    return value


def test_sites_file_creates_sites_and_services_with_their_time_zone(runner, db, write_csv):
    result = runner.invoke(args=["import", "sites", str(write_csv(SITES))])
    assert result.exit_code == 0, result.output
    assert scalar(db, select(func.count()).select_from(Service)) == 3
    reunion = db.scalar(Site.by_code("974-saint-denis"))
    assert (reunion.departement, reunion.timezone) == ("974", "Indian/Reunion")
    db.rollback()


def test_sites_reimport_is_idempotent_and_renames(runner, db, write_csv):
    path = str(write_csv(SITES))
    runner.invoke(args=["import", "sites", path])
    again = runner.invoke(args=["import", "sites", path])
    assert "0 created, 0 updated, 3 already stored" in again.output
    renamed = [list(r) for r in SITES]
    renamed[2][4] = "Bureau du séjour des étrangers"
    result = runner.invoke(args=["import", "sites", str(write_csv(renamed))])
    assert "1 updated" in result.output
    assert scalar(db, select(func.count()).select_from(Service)) == 3
    names = set(db.scalars(select(Service.name)))
    assert "Bureau du séjour des étrangers" in names


def test_sites_file_with_bad_departement_stores_nothing(runner, db, write_csv):
    rows = [list(r) for r in SITES]
    rows[3][2] = "9X"
    result = runner.invoke(args=["import", "sites", str(write_csv(rows))])
    assert result.exit_code != 0
    assert "line 4, column departement: '9X' is not a département code" in result.output
    assert scalar(db, select(func.count()).select_from(Site)) == 0


def with_official_titles(*titles: str) -> list[list[str]]:
    return [[*SITES[0], "official_title"]] + [
        [*row, title] for row, title in zip(SITES[1:], titles, strict=True)
    ]


def test_the_optional_official_title_column_sets_each_site_title(runner, db, write_csv):
    title = "Préfet\ndes Hauts-de-Seine"
    rows = with_official_titles(title, title, "")
    result = runner.invoke(args=["import", "sites", str(write_csv(rows))])
    assert result.exit_code == 0, result.output
    titles = dict(db.execute(select(Site.code, Site.official_title)).all())
    db.rollback()
    assert titles == {"92-nanterre": title, "974-saint-denis": None}


def test_an_empty_official_title_cell_keeps_the_stored_one(runner, db, write_csv):
    runner.invoke(args=["import", "sites", str(write_csv(with_official_titles("A", "A", "B")))])
    result = runner.invoke(args=["import", "sites", str(write_csv(SITES))])
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        args=["import", "sites", str(write_csv(with_official_titles("", "", "C")))]
    )
    assert again.exit_code == 0, again.output
    titles = dict(db.execute(select(Site.code, Site.official_title)).all())
    db.rollback()
    assert titles == {"92-nanterre": "A", "974-saint-denis": "C"}


def test_a_neutralised_official_title_cell_is_read_back_as_typed(runner, db, write_csv):
    rows = with_official_titles("'=Préfet", "'=Préfet", "")
    result = runner.invoke(args=["import", "sites", str(write_csv(rows))])
    assert result.exit_code == 0, result.output
    assert scalar(db, select(Site.official_title).where(Site.code == "92-nanterre")) == "=Préfet"


def test_rows_of_one_site_with_different_official_titles_store_nothing(runner, db, write_csv):
    rows = with_official_titles("A", "B", "")
    result = runner.invoke(args=["import", "sites", str(write_csv(rows))])
    assert result.exit_code != 0
    assert "line 3, column site_name" in result.output
    assert scalar(db, select(func.count()).select_from(Site)) == 0


def reclamation_rows():
    return [
        list(RECLAMATION_HEADER),
        [
            "92-2022-000041",
            "reclamation",
            "courriel",
            "92-nanterre",
            "etrangers",
            "waiting_time",
            "2022-04-14",
            "2022-04-21",
            "courriel",
            "Mon dossier attend depuis huit mois.",
        ],
        [
            "92-2022-000007",
            "suggestion",
            "urne",
            "92-nanterre",
            "",
            "premises",
            "2022-02-01",
            "",
            "",
            "Il faudrait plus de chaises.",
        ],
        [
            "ANCIEN-12",
            "remerciement",
            "courrier",
            "92-antony",
            "accueil",
            "reception",
            "2022-03-01",
            "",
            "",
            "Merci pour votre accueil.",
        ],
    ]


def test_reclamations_get_deadline_status_and_counter(runner, db, sites, write_csv):
    result = runner.invoke(args=["import", "reclamations", str(write_csv(reclamation_rows()))])
    assert result.exit_code == 0, result.output
    first = db.scalar(select(Reclamation).where(Reclamation.reference == "92-2022-000041"))
    # Received Thursday 14 April 2022: 5 working days, Easter Monday (18 April) excluded.
    assert first.due_on == date(2022, 4, 22)
    assert (first.status, first.reply_expected) == ("answered", True)
    assert first.service.code == "etrangers"
    thanks = db.scalar(select(Reclamation).where(Reclamation.reference == "ANCIEN-12"))
    assert (thanks.status, thanks.reply_expected) == ("new", False)
    counter = db.scalar(
        select(ReferenceCounter).where(
            ReferenceCounter.departement == "92", ReferenceCounter.year == 2022
        )
    )
    assert counter.last_value == 41
    db.rollback()


def test_reclamations_reimport_stores_nothing_new(runner, db, sites, write_csv):
    path = str(write_csv(reclamation_rows()))
    runner.invoke(args=["import", "reclamations", path])
    again = runner.invoke(args=["import", "reclamations", path])
    assert again.exit_code == 0
    assert "3 already stored" in again.output
    assert scalar(db, select(func.count()).select_from(Reclamation)) == 3


BAD = [
    (2, "kind", "plainte", "unknown kind 'plainte'"),
    (3, "channel", "pigeon", "unknown channel 'pigeon'"),
    (4, "category", "parking", "unknown category 'parking'"),
    (2, "received_on", "14 avril", "'14 avril' is not a date (DD/MM/YYYY or YYYY-MM-DD)"),
    (2, "answered_on", "2022-04-01", "before received_on"),
    (3, "site", "75-paris", "unknown site '75-paris'"),
    (4, "service", "cert", "unknown service 'cert' at site 92-antony"),
    (2, "reply_channel", "fax", "unknown reply channel 'fax'"),
]


def test_each_bad_reclamation_cell_is_named_and_nothing_stored(runner, db, sites, write_csv):
    for line, column, value, reason in BAD:
        rows = reclamation_rows()
        rows[line - 1][RECLAMATION_HEADER.index(column)] = value
        result = runner.invoke(args=["import", "reclamations", str(write_csv(rows))])
        assert result.exit_code != 0
        assert f"line {line}, column {column}: {reason}" in result.output, result.output
        assert scalar(db, select(func.count()).select_from(Reclamation)) == 0


def test_an_unknown_column_of_a_register_is_refused_without_speaking_of_criteria(
    runner, db, sites, write_csv
):
    rows = reclamation_rows()
    rows[0][RECLAMATION_HEADER.index("text")] = "texte"
    result = runner.invoke(args=["import", "reclamations", str(write_csv(rows))])
    assert result.exit_code != 0
    assert "line 1, column texte: unknown column\n" in result.output
    assert "criterion" not in result.output
    assert scalar(db, select(func.count()).select_from(Reclamation)) == 0


def test_duplicate_reference_in_file_and_conflict_with_stored(runner, db, sites, write_csv):
    rows = reclamation_rows()
    rows[3][0] = rows[1][0]
    result = runner.invoke(args=["import", "reclamations", str(write_csv(rows))])
    assert "line 4, column reference: duplicate of line 2" in result.output
    runner.invoke(args=["import", "reclamations", str(write_csv(reclamation_rows()))])
    changed = reclamation_rows()
    changed[2][-1] = "Autre texte"
    result = runner.invoke(args=["import", "reclamations", str(write_csv(changed))])
    assert "line 3, column reference: conflicts with the stored réclamation" in result.output


@pytest.mark.app_config(AVIS_REPLY_DAYS="courriel=2")
def test_configured_reply_days_set_the_deadline(runner, db, sites, write_csv):
    result = runner.invoke(args=["import", "reclamations", str(write_csv(reclamation_rows()))])
    assert result.exit_code == 0, result.output
    first = db.scalar(select(Reclamation).where(Reclamation.reference == "92-2022-000041"))
    # Thursday 14 April 2022 + 2 working days, Easter Monday excluded: Tuesday 19 April.
    assert first.due_on == date(2022, 4, 19)
    db.rollback()


def test_a_sites_file_read_from_a_pipe_is_imported(db, avis_reading_stdin):
    """``avis import sites /dev/stdin``: a pipe can be read once only, the import reads a
    file twice (header, then rows); it used to stop on an internal error."""
    done = avis_reading_stdin(["import", "sites", "/dev/stdin"], SITES)
    assert done.returncode == 0, done.stderr
    assert "3 services read: 3 created" in done.stdout
    assert scalar(db, select(func.count()).select_from(Service)) == 3
