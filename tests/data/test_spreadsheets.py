"""Imports and exports with the files a quality mission keeps: CSV as French Excel and
LibreOffice save it, XLSX workbooks, French dates, sheets typed by hand without ids;
messages in French unless the locale is English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from surveys.models import Answer, Criterion, Reclamation, Response, Service, Site
from tests.data.test_import_indicators import stored_values
from tests.data.test_import_responses import ID1, ID2

HEADER = (
    "response_id;submitted_at;site;service;channel;language;courtesy;waiting_time;overall;comment"
)


def count(db, model=Response) -> int:
    value = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return value


def stored_responses(db) -> list[tuple]:
    """(submitted_at UTC, site, service, comment, {criterion: rating}) of every response."""
    rows = db.execute(
        select(Response.id, Response.submitted_at, Site.code, Service.code, Response.comment)
        .join(Site, Site.id == Response.site_id)
        .join(Service, Service.id == Response.service_id)
        .order_by(Response.submitted_at, Response.id)
    ).all()
    ratings: dict[int, dict[str, int]] = {}
    for pk, code, rating in db.execute(
        select(Answer.response_id, Criterion.code, Answer.rating).join(Criterion)
    ):
        ratings.setdefault(pk, {})[code] = rating
    db.rollback()
    return [
        (at.replace(tzinfo=UTC) if at.tzinfo is None else at, site, service, comment, ratings[pk])
        for pk, at, site, service, comment in rows
    ]


def crlf_file(path: Path, lines: list[str], encoding: str, bom: bool = False) -> Path:
    """Write ``lines`` as Excel does: CRLF line ends, in ``encoding``."""
    data = "\r\n".join(lines).encode(encoding) + b"\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_sites_saved_by_french_excel_as_semicolon_csv_in_windows_1252(runner, db, tmp_path):
    path = crlf_file(
        tmp_path / "sites.csv",
        [
            "site;site_name;departement;service;service_name",
            "92-nanterre;Préfecture des Hauts-de-Seine;92;etrangers;Bureau du séjour des étrangers",
            "92-nanterre;Préfecture des Hauts-de-Seine;92;accueil;Accueil général",
            "974-saint-denis;Préfecture de La Réunion;974;accueil;Accueil général",
        ],
        "cp1252",
    )
    result = runner.invoke(args=["import", "sites", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Fichier lu : séparateur point-virgule, encodage Windows-1252."
    assert lines[1] == "3 services lus : 3 créés, 0 mis à jour, 0 déjà enregistré"
    names = dict(db.execute(select(Service.code, Service.name).join(Site)
                            .where(Site.code == "92-nanterre")).all())  # fmt: skip
    reunion = db.scalar(Site.by_code("974-saint-denis"))
    assert names["etrangers"] == "Bureau du séjour des étrangers"
    assert (reunion.name, reunion.timezone) == ("Préfecture de La Réunion", "Indian/Reunion")
    db.rollback()


def test_responses_saved_as_csv_utf8_with_bom_and_french_dates(runner, db, sites, tmp_path):
    path = crlf_file(
        tmp_path / "reponses.csv",
        [
            HEADER,
            f'{ID1};24/03/2022 10:15;92-nanterre;accueil;paper;fr;5;3;4;"Très bon accueil ; merci"',
            f"{ID2};2022-03-24T11:00:00+01:00;92-antony;accueil;paper;fr;;;2;",
        ],
        "utf-8",
        bom=True,
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Fichier lu : séparateur point-virgule, encodage UTF-8 avec BOM ; dates JJ/MM/AAAA lues "
        "jour, mois, année, à l'heure locale du site.",
        "2 réponses lues : 2 créées, 0 mise à jour, 0 déjà enregistrée",
    ]
    first, second = stored_responses(db)
    # 24 March 2022 at 10:15 in Paris (UTC+1) is 09:15 UTC.
    assert first == (
        datetime(2022, 3, 24, 9, 15, tzinfo=UTC),
        "92-nanterre",
        "accueil",
        "Très bon accueil ; merci",
        {"courtesy": 5, "waiting_time": 3, "overall": 4},
    )
    assert second[1:] == ("92-antony", "accueil", None, {"overall": 2})


def test_tab_separated_text_is_read_and_said(runner, db, sites, tmp_path):
    path = tmp_path / "reponses.txt"
    path.write_text(
        HEADER.replace(";", "\t")
        + "\n\t03/12/2026 09:05\t92-nanterre\tetrangers\tpaper\tfr\t4\t\t5\t\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code == 0, result.output
    assert "séparateur tabulation, encodage UTF-8" in result.output
    [(at, _site, service, _comment, ratings)] = stored_responses(db)
    assert (at, service, ratings) == (
        datetime(2026, 12, 3, 8, 5, tzinfo=UTC),
        "etrangers",
        {"courtesy": 4, "overall": 5},
    )


def test_a_header_separated_two_ways_is_refused_with_how_to_save(runner, db, sites, tmp_path):
    path = tmp_path / "melange.csv"
    path.write_text(HEADER.replace(";", ",", 3) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "ligne 1 : la ligne d'en-tête sépare ses colonnes de plusieurs façons " in result.output
    assert "(virgule ; point-virgule)" in result.output
    assert "« CSV UTF-8 (délimité par des virgules) »" in result.output
    assert count(db) == 0


def test_a_file_mixing_utf8_and_windows_1252_is_refused(runner, db, sites, tmp_path):
    path = tmp_path / "mixte.csv"
    path.write_bytes(
        (HEADER + "\r\n").encode()
        + ";24/03/2022 10:15;92-nanterre;accueil;paper;fr;5;;;Très bien\r\n".encode()
        + ";24/03/2022 10:16;92-nanterre;accueil;paper;fr;5;;;Très bien\r\n".encode("cp1252")
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "ligne 2 : le fichier n'est ni en UTF-8 ni en Windows-1252" in result.output
    assert count(db) == 0


def test_a_file_with_a_utf8_bom_that_is_not_utf8_further_is_refused(runner, db, sites, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + (HEADER + "\r\n;24/03/2022 10:15;92-nanterre;accueil;paper;fr;5;;;Bien\r\n").encode()
        + ";24/03/2022 10:16;92-nanterre;accueil;paper;fr;5;;;Très bien\r\n".encode("cp1252")
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "ligne 3 : le fichier commence comme un fichier UTF-8 (BOM)" in result.output
    assert count(db) == 0


def test_the_columns_are_named_as_the_file_writes_them(runner, db, sites, tmp_path):
    path = tmp_path / "majuscules.csv"
    header = HEADER.replace("site;", "Site ;").replace("overall", "Overall")
    path.write_text(
        header + "\n;24/03/2022 10:15;92-nowhere;accueil;paper;fr;5;;9;\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "ligne 2, colonne Site : site inconnu « 92-nowhere »" in result.output
    assert "ligne 2, colonne Overall : la note 9 n'est pas entre 1 et 5" in result.output
    assert "2 erreurs, rien n'a été importé :" in result.output


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("24/03/22 10:15", "l'année doit avoir quatre chiffres"),
        (
            "03/24/2022 10:15",
            "se lit mois avant jour (MM/JJ/AAAA) ; Avis lit les dates "
            "JJ/MM/AAAA : écrivez 24/03/2022",
        ),  # fmt: skip
        ("30/02/2022", "n'est pas une date qui existe"),
        ("30/10/2022 02:30", "a eu lieu deux fois à l'heure locale du site"),
        ("2022-10-30T02:30:00", "a eu lieu deux fois à l'heure locale du site"),
        ("27/03/2022 02:30", "n'existe pas à l'heure locale du site"),
    ],
)
def test_a_date_that_could_be_read_two_ways_is_refused(runner, db, sites, tmp_path, cell, reason):
    path = tmp_path / "dates.csv"
    path.write_text(HEADER + f"\n;{cell};92-nanterre;accueil;paper;fr;5;;;\n", encoding="utf-8")
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert f"ligne 2, colonne submitted_at : « {cell} »" in result.output
    assert reason in result.output
    assert count(db) == 0


def test_messages_are_in_english_when_the_locale_is_english(runner, db, sites, tmp_path, english):
    path = tmp_path / "dates.csv"
    path.write_text(
        HEADER + "\n;24/03/22 10:15;92-nanterre;accueil;paper;fr;5;;;\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.output.splitlines() == [
        "Error: File read: separator semicolon, encoding UTF-8.",
        "1 error, nothing was imported:",
        "line 2, column submitted_at: '24/03/22 10:15': the year must have four digits "
        "(DD/MM/YYYY); '22' could be 1922 or 2022",
    ]


# A paper questionnaire typed by hand: no ids, French dates, and two identical forms.
HAND_TYPED = [
    "submitted_at;site;service;channel;language;courtesy;overall;comment",
    "03/12/2026 10:00;92-nanterre;accueil;paper;fr;5;5;",
    "03/12/2026 10:00;92-nanterre;accueil;paper;fr;5;5;",
    "03/12/2026 10:20;92-nanterre;etrangers;paper;fr;2;3;Trop d'attente",
]


def test_a_hand_typed_sheet_without_ids_imported_twice_stores_nothing_new(
    runner, db, sites, tmp_path
):
    path = crlf_file(tmp_path / "saisie.csv", HAND_TYPED, "cp1252")
    first = runner.invoke(args=["import", "responses", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 réponses lues : 3 créées" in first.output
    ids = set(db.scalars(select(Response.response_id)))
    db.rollback()
    again = runner.invoke(args=["import", "responses", str(path)])
    assert again.exit_code == 0, again.output
    assert "3 réponses lues : 0 créée, 0 mise à jour, 3 déjà enregistrées" in again.output
    assert set(db.scalars(select(Response.response_id))) == ids and len(ids) == 3
    db.rollback()
    # The two identical forms are two responses; the third has its comment.
    stored = stored_responses(db)
    assert [r[4] for r in stored] == [{"courtesy": 5, "overall": 5}] * 2 + [
        {"courtesy": 2, "overall": 3}
    ]
    assert stored[2][3] == "Trop d'attente"
    # A third identical form typed later in the same sheet is one more response.
    more = crlf_file(tmp_path / "saisie2.csv", [*HAND_TYPED, HAND_TYPED[1]], "cp1252")
    result = runner.invoke(args=["import", "responses", str(more)])
    assert "4 réponses lues : 1 créée, 0 mise à jour, 3 déjà enregistrées" in result.output
    assert count(db) == 4


REGISTER = [
    "kind;channel;site;service;category;received_on;answered_on;reply_channel;text",
    "reclamation;courrier;92-nanterre;etrangers;waiting_time;14/04/2022;;;Mon dossier attend.",
    "suggestion;urne;92-nanterre;;premises;15/04/2022;21/04/2022;courrier;Des chaises.",
    "suggestion;urne;92-nanterre;;premises;15/04/2022;21/04/2022;courrier;Des chaises.",
]


def test_a_register_without_references_imported_twice_stores_nothing_new(
    runner, db, sites, tmp_path
):
    path = crlf_file(tmp_path / "registre.csv", REGISTER, "cp1252")
    first = runner.invoke(args=["import", "reclamations", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 réclamations lues : 3 créées" in first.output
    again = runner.invoke(args=["import", "reclamations", str(path)])
    assert "3 réclamations lues : 0 créée, 0 mise à jour, 3 déjà enregistrées" in again.output
    rows = db.execute(
        select(Reclamation.reference, Reclamation.received_on, Reclamation.answered_on).order_by(
            Reclamation.received_on, Reclamation.reference
        )
    ).all()
    db.rollback()
    assert [r[1:] for r in rows] == [
        (date(2022, 4, 14), None),
        (date(2022, 4, 15), date(2022, 4, 21)),
        (date(2022, 4, 15), date(2022, 4, 21)),
    ]
    assert all(r[0].startswith("92-2022-IMP-") and len(r[0]) == 22 for r in rows)
    assert len({r[0] for r in rows}) == 3


def test_a_register_reimported_with_its_replies_typed_in_conflicts_instead_of_doubling(
    runner, db, sites, tmp_path
):
    path = crlf_file(tmp_path / "registre.csv", REGISTER[:2], "cp1252")
    assert runner.invoke(args=["import", "reclamations", str(path)]).exit_code == 0
    answered = REGISTER[1].replace(";;;Mon", ";20/04/2022;courrier;Mon")
    path = crlf_file(tmp_path / "registre2.csv", [REGISTER[0], answered], "cp1252")
    result = runner.invoke(args=["import", "reclamations", str(path)])
    assert result.exit_code != 0
    assert "ligne 2, colonne reference : diffère de la réclamation déjà enregistrée" in (
        result.output
    )
    assert count(db, Reclamation) == 1


def excel_workbook(path: Path, header: list[str], rows: list[list]) -> Path:
    """A workbook as Excel keeps it: date cells with a date format, empty cells, a blank
    formatted row at the end."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Feuil1"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text, as Excel keeps '=...
    sheet.append([None] * len(header))
    book.save(path)
    return path


def test_responses_from_an_xlsx_with_excel_dates_text_dates_and_empty_cells(
    runner, db, sites, tmp_path
):
    header = ["submitted_at", "site", "service", "channel", "language", "courtesy", "overall",
              "comment"]  # fmt: skip
    path = excel_workbook(
        tmp_path / "saisie.xlsx",
        header,
        [
            [datetime(2026, 7, 1, 14, 30), "92-nanterre", "accueil", "paper", "fr", 5, 4, None],
            ["02/07/2026 09:00", "92-antony", "accueil", "paper", None, None, 2, "Long"],
            [
                datetime(2026, 7, 3, 8, 0),
                "92-nanterre",
                "etrangers",
                "paper",
                "fr",
                3.0,
                None,
                '=HYPERLINK("x")',
            ],  # fmt: skip
        ],
    )
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        "Fichier lu : classeur XLSX, feuille « Feuil1 » ; dates JJ/MM/AAAA lues"
    )
    assert "3 réponses lues : 3 créées" in result.output
    assert stored_responses(db) == [
        (datetime(2026, 7, 1, 12, 30, tzinfo=UTC), "92-nanterre", "accueil", None,
         {"courtesy": 5, "overall": 4}),
        (datetime(2026, 7, 2, 7, 0, tzinfo=UTC), "92-antony", "accueil", "Long", {"overall": 2}),
        (datetime(2026, 7, 3, 6, 0, tzinfo=UTC), "92-nanterre", "etrangers",
         '=HYPERLINK("x")', {"courtesy": 3}),
    ]  # fmt: skip
    again = runner.invoke(args=["import", "responses", str(path)])
    assert "3 déjà enregistrées" in again.output


def test_reclamations_from_an_xlsx_with_excel_dates(runner, db, sites, tmp_path):
    header = REGISTER[0].split(";")
    path = excel_workbook(
        tmp_path / "registre.xlsx",
        header,
        [
            ["reclamation", "courriel", "92-nanterre", "etrangers", "waiting_time",
             datetime(2022, 4, 14), datetime(2022, 4, 20), "courriel", "Où en est mon titre ?"],
            ["remerciement", "courrier", "92-antony", None, "reception", "19/04/2022", None,
             None, "Merci"],
        ],
    )  # fmt: skip
    result = runner.invoke(args=["import", "reclamations", str(path)])
    assert result.exit_code == 0, result.output
    rows = db.execute(
        select(Reclamation.kind, Reclamation.received_on, Reclamation.answered_on,
               Reclamation.status, Reclamation.text).order_by(Reclamation.received_on)
    ).all()  # fmt: skip
    db.rollback()
    assert rows == [
        ("reclamation", date(2022, 4, 14), date(2022, 4, 20), "answered", "Où en est mon titre ?"),
        ("remerciement", date(2022, 4, 19), None, "new", "Merci"),
    ]


def test_indicators_from_an_xlsx_with_months_as_excel_dates(runner, db, sites, tmp_path):
    path = excel_workbook(
        tmp_path / "indicateurs.xlsx",
        ["Site", "Indicator", "Month", "Value", "Count"],
        [
            ["92-nanterre", "calls_answered", datetime(2022, 1, 1), 0.91, 3400],
            ["92-nanterre", "calls_answered", "02/2022", 0.95, None],
            ["92-antony", "pan_visits", datetime(2022, 1, 1), 340, None],
            ["92-antony", "info_email_delay", "2022-01", "2,5", 12.0],
        ],
    )
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Fichier lu : classeur XLSX, feuille « Feuil1 ».",
        "4 valeurs mensuelles lues : 4 créées, 0 mise à jour, 0 déjà enregistrée",
    ]
    assert stored_values(db) == {
        ("92-nanterre", "calls_answered", date(2022, 1, 1)): (0.91, 3400),
        ("92-nanterre", "calls_answered", date(2022, 2, 1)): (0.95, None),
        ("92-antony", "pan_visits", date(2022, 1, 1)): (340.0, None),
        ("92-antony", "info_email_delay", date(2022, 1, 1)): (2.5, 12),
    }
    again = runner.invoke(args=["import", "indicators", str(path)])
    assert "0 créée, 0 mise à jour, 4 déjà enregistrées" in again.output


def test_indicators_saved_by_french_excel_as_semicolon_csv_in_windows_1252(
    runner, db, sites, tmp_path
):
    # French Excel writes 41 250 with a no-break space, 0,91 with a decimal comma.
    lines = [
        "site;indicator;month;value;count",
        "92-nanterre;calls_answered;01/2022;0,91;41\u00a0250",
        "92-nanterre;info_email_delay;01/03/2022;2,5;120",
        "92-antony;pan_visits;2022-03;1\u00a0204;",
    ]
    path = crlf_file(tmp_path / "indicateurs.csv", lines, "cp1252")
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Fichier lu : séparateur point-virgule, encodage Windows-1252.",
        "3 valeurs mensuelles lues : 3 créées, 0 mise à jour, 0 déjà enregistrée",
    ]
    assert stored_values(db) == {
        ("92-nanterre", "calls_answered", date(2022, 1, 1)): (0.91, 41250),
        ("92-nanterre", "info_email_delay", date(2022, 3, 1)): (2.5, 120),
        ("92-antony", "pan_visits", date(2022, 3, 1)): (1204.0, None),
    }
    lines[2] = "92-nanterre;info_email_delay;01/03/2022;3,1;120"
    lines[3] = "92-antony;pan_visits;2022-03;douze;"
    path = crlf_file(tmp_path / "indicateurs2.csv", lines, "cp1252")
    refused = runner.invoke(args=["import", "indicators", str(path)])
    assert refused.exit_code != 0
    assert "ligne 4, colonne value : « douze » n'est pas un nombre" in refused.output
    del lines[3]
    path = crlf_file(tmp_path / "indicateurs3.csv", lines, "cp1252")
    result = runner.invoke(args=["import", "indicators", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "92-nanterre info_email_delay 2022-03 : 2,5 remplacé par 3,1",
        "2 valeurs mensuelles lues : 0 créée, 1 mise à jour, 1 déjà enregistrée",
    ]
    assert stored_values(db)[("92-nanterre", "info_email_delay", date(2022, 3, 1))] == (3.1, 120)


def test_an_xls_of_excel_97_is_refused_with_how_to_save(runner, db, sites, tmp_path):
    path = tmp_path / "ancien.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "ligne 1 : ce classeur est au format Excel 97-2003 (.xls)" in result.output


def test_an_ods_of_libreoffice_is_refused_with_how_to_save(runner, db, sites, tmp_path):
    import zipfile

    path = tmp_path / "calc.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code != 0
    assert "ligne 1 : ce classeur est au format OpenDocument (.ods)" in result.output
    assert "Classeur Excel (.xlsx)" in result.output


def test_export_to_xlsx_has_a_frozen_header_dates_and_neutralised_formulas_and_reimports(
    runner, db, sites, tmp_path
):
    path = excel_workbook(
        tmp_path / "saisie.xlsx",
        ["submitted_at", "site", "service", "channel", "language", "overall", "comment"],
        [
            [datetime(2026, 7, 1, 14, 30), "92-nanterre", "accueil", "paper", "fr", 5,
             '=HYPERLINK("http://x")'],
            # The hour repeated when the clocks went back, given with its offset.
            ["2025-10-26T02:30:00+01:00", "92-antony", "accueil", "paper", "fr", 3, None],
        ],
    )  # fmt: skip
    assert runner.invoke(args=["import", "responses", str(path)]).exit_code == 0
    out = tmp_path / "export.xlsx"
    result = runner.invoke(args=["export", "responses", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"2 réponses écrites dans {out}\n"
    sheet = load_workbook(out).worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    column = {name: index for index, name in enumerate(header)}
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][column["submitted_at"]] == "2025-10-26T02:30:00+01:00"
    assert rows[1][column["submitted_at"]] == datetime(2026, 7, 1, 14, 30)
    assert sheet.cell(3, column["submitted_at"] + 1).number_format == "dd/mm/yyyy hh:mm:ss"
    assert rows[1][column["comment"]] == '\'=HYPERLINK("http://x")'
    assert rows[1][column["courtesy"]] is None and rows[1][column["overall"]] == 5
    assert sheet.column_dimensions["A"].width == 38  # a UUID and some room
    again = runner.invoke(args=["import", "responses", str(out)])
    assert again.exit_code == 0, again.output
    assert "2 réponses lues : 0 créée, 0 mise à jour, 2 déjà enregistrées" in again.output


def test_reclamations_export_to_xlsx_writes_dates_as_dates(runner, db, sites, tmp_path):
    path = crlf_file(tmp_path / "registre.csv", REGISTER[:3], "cp1252")
    assert runner.invoke(args=["import", "reclamations", str(path)]).exit_code == 0
    out = tmp_path / "reclamations.XLSX"
    assert runner.invoke(args=["export", "reclamations", "--out", str(out)]).exit_code == 0
    sheet = load_workbook(out).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(v[6], v[7]) for v in values] == [
        (datetime(2022, 4, 14), None),
        (datetime(2022, 4, 15), datetime(2022, 4, 21)),
    ]
    again = runner.invoke(args=["import", "reclamations", str(out)])
    assert "2 réclamations lues : 0 créée, 0 mise à jour, 2 déjà enregistrées" in again.output


def test_imports_and_exports_over_the_threshold_show_a_progress_bar(
    runner, db, sites, tmp_path, monkeypatch
):
    from kiosk.cli import data

    monkeypatch.setattr(data, "PROGRESS_FROM_ROWS", 3)
    rows = [f";0{d}/07/2026 10:00;92-nanterre;accueil;paper;fr;5;;;" for d in range(1, 6)]
    path = crlf_file(tmp_path / "r.csv", [HEADER, *rows], "utf-8")
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("réponses")  # the bar's label (a terminal also sees it move)
    out = tmp_path / "r.xlsx"
    result = runner.invoke(args=["export", "responses", "--out", str(out)])
    assert result.stderr.startswith("réponses")
    monkeypatch.setattr(data, "PROGRESS_FROM_ROWS", 6)
    result = runner.invoke(args=["export", "responses", "--out", str(out)])
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "fr"),
        ({"LANG": "C.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "fr"),
    ],
)
def test_the_language_of_the_messages_follows_the_posix_locale(environ, language):
    from surveys.i18n import language_from_environment

    assert language_from_environment(environ) == language


def test_one_row_read_and_written_is_counted_in_the_singular(runner, db, sites, tmp_path):
    line = ";01/07/2026 10:00;92-nanterre;accueil;paper;fr;5;;;"
    path = crlf_file(tmp_path / "une.csv", [HEADER, line], "utf-8")
    result = runner.invoke(args=["import", "responses", str(path)])
    assert result.output.endswith("1 réponse lue : 1 créée, 0 mise à jour, 0 déjà enregistrée\n")
    again = runner.invoke(args=["import", "responses", str(path)], env={"LANG": "en_GB.UTF-8"})
    assert again.output.endswith("1 response read: 0 created, 0 updated, 1 already stored\n")
    out = tmp_path / "une-export.csv"
    written = runner.invoke(args=["export", "responses", "--out", str(out)])
    assert written.output == f"1 réponse écrite dans {out}\n"
    sites_file = crlf_file(
        tmp_path / "site.csv",
        ["site;site_name;departement;service;service_name", "92-sevres;Sèvres;92;accueil;Accueil"],
        "utf-8",
    )
    result = runner.invoke(args=["import", "sites", str(sites_file)])
    assert result.output.endswith("1 service lu : 1 créé, 0 mis à jour, 0 déjà enregistré\n")
