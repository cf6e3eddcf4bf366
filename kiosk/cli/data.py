"""``avis import`` and ``avis export``: data in and out of Avis (``avis demo`` is in ``demo``).

Imports read CSV (as spreadsheets save it) or XLSX; exports write the contract's CSV, or a
workbook when ``--out`` ends in ``.xlsx``. Their messages are in the language of ``LANG``
(French unless it is English), from the catalog of ``surveys.i18n``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NamedTuple

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys import DomainError
from surveys.exports import (
    count_reclamations,
    count_responses,
    reclamation_rows,
    response_rows,
    write_csv,
    write_xlsx,
)
from surveys.i18n import Message, _l, _ln, language_from_environment, render
from surveys.import_indicators import import_indicators
from surveys.import_reclamations import import_reclamations
from surveys.import_responses import import_responses
from surveys.import_sites import import_sites
from surveys.reclamations import parse_reply_days
from surveys.sheet_files import count_rows

from .common import cli_session
from .common import user_text as _t

# Files and exports with fewer rows than this go without a progress bar.
PROGRESS_FROM_ROWS = 5_000


@contextmanager
def _bar(rows: int, label: Message) -> Iterator:
    """Yield a callback advancing a progress bar on stderr, or None under
    :data:`PROGRESS_FROM_ROWS` rows."""
    if rows < PROGRESS_FROM_ROWS:
        yield None
        return
    with click.progressbar(
        length=max(rows, 1), label=_t(label), file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        yield bar.update


@contextmanager
def _progress(path: Path, label: Message) -> Iterator:
    """A progress bar over the rows of a file (none on a small file, nor on a pipe, which
    can be read only once and whose length is not known ahead)."""
    with _bar(max(count_rows(path) - 1, 0), label) as update:
        yield update


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a refusal of the domain into a CLI error in the user's language (the session
    around it rolls back)."""
    try:
        yield
    except DomainError as error:
        language = language_from_environment()
        text = (
            error.render(language) if hasattr(error, "render") else render(error.message, language)
        )
        where = f" ({error.field})" if error.field else ""
        raise click.ClickException(f"{text}{where}") from error


FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(
    "import",
    help=_t(
        _l(
            "Importe des sites, des réponses, des réclamations ou des valeurs "
            "d'indicateurs d'un fichier CSV ou XLSX (formats dans le README)."
        )
    ),
)
def import_group() -> None:
    pass


class Nouns(NamedTuple):
    """How a summary counts one kind of row: the rows read, and the agreement (gender) of
    the words that count those created, updated and already stored."""

    read: Callable[[int], Message]
    feminine: bool = True


def _summary(result, nouns: Nouns) -> Message:
    """Return « 3 réponses lues : 1 créée, 0 mises à jour, 2 déjà enregistrées », each
    count with the plural its number takes."""
    if nouns.feminine:
        created = _ln("{count} créée", "{count} créées", result.created)
        updated = _ln("{count} mise à jour", "{count} mises à jour", result.updated)
        unchanged = _ln("{count} déjà enregistrée", "{count} déjà enregistrées", result.unchanged)
    else:
        created = _ln("{count} créé", "{count} créés", result.created)
        updated = _ln("{count} mis à jour", "{count} mis à jour", result.updated)
        unchanged = _ln("{count} déjà enregistré", "{count} déjà enregistrés", result.unchanged)
    return _l(
        "{read} : {created}, {updated}, {unchanged}",
        read=nouns.read(result.read),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )


def _run_import(file: Path, label: Message, importer: Callable, nouns: Nouns) -> None:
    """Import ``file`` with ``importer(session, file, progress=...)`` in one session (a
    progress bar named ``label`` on a large file, a refusal as a clean error), then say
    how the file was read, each detail the import gives (``replaced``) and the counts."""
    with _progress(file, label) as progress, cli_session() as session, _user_errors():
        result = importer(session, file, progress=progress)
    reading = result.reading()
    if reading is not None:
        click.echo(_t(reading))
    for detail in getattr(result, "replaced", ()):
        click.echo(_t(detail))
    click.echo(_t(_summary(result, nouns)))


@import_group.command(
    "sites",
    help=_t(
        _l(
            "Crée ou met à jour des sites et services (site, "
            "site_name, departement, service, service_name)."
        )
    ),
)
@click.argument("file", type=FILE)
@with_appcontext
def import_sites_command(file: Path) -> None:
    nouns = Nouns(lambda n: _ln("{count} service lu", "{count} services lus", n), feminine=False)
    _run_import(file, _l("services"), import_sites, nouns)


@import_group.command(
    "responses",
    help=_t(
        _l(
            "Importe des réponses ; un fichier dont une ligne "
            "est fausse n'enregistre rien, un second import "
            "rien de nouveau."
        )
    ),
)
@click.argument("file", type=FILE)
@with_appcontext
def import_responses_command(file: Path) -> None:
    nouns = Nouns(lambda n: _ln("{count} réponse lue", "{count} réponses lues", n))
    _run_import(file, _l("réponses"), import_responses, nouns)


@import_group.command(
    "reclamations",
    help=_t(
        _l(
            "Importe des réclamations ; un fichier dont "
            "une ligne est fausse n'enregistre rien, un "
            "second import rien de nouveau."
        )
    ),
)
@click.argument("file", type=FILE)
@with_appcontext
def import_reclamations_command(file: Path) -> None:
    def importer(session, path: Path, progress):
        reply_days = parse_reply_days(current_app.config.get("AVIS_REPLY_DAYS"))
        return import_reclamations(session, path, progress=progress, reply_days=reply_days)

    nouns = Nouns(lambda n: _ln("{count} réclamation lue", "{count} réclamations lues", n))
    _run_import(file, _l("réclamations"), importer, nouns)


@import_group.command(
    "indicators",
    help=_t(
        _l(
            "Importe les valeurs mensuelles d'indicateurs de registre (site, "
            "indicator, month, value, count) ; une valeur nouvelle pour un mois "
            "enregistré le remplace."
        )
    ),
)
@click.argument("file", type=FILE)
@with_appcontext
def import_indicators_command(file: Path) -> None:
    nouns = Nouns(
        lambda n: _ln("{count} valeur mensuelle lue", "{count} valeurs mensuelles lues", n)
    )
    _run_import(file, _l("valeurs mensuelles"), import_indicators, nouns)


def _export_options(function):
    for decorator in reversed(
        (
            click.option(
                "--from",
                "date_from",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help=_t(_l("Première date (AAAA-MM-JJ), incluse.")),
            ),
            click.option(
                "--to",
                "date_to",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help=_t(_l("Dernière date (AAAA-MM-JJ), incluse.")),
            ),
            click.option(
                "--site", "sites", multiple=True, help=_t(_l("Code d'un site (option répétable)."))
            ),
            click.option(
                "--out",
                type=click.Path(dir_okay=False, writable=True, allow_dash=True),
                required=True,
                help=_t(
                    _l(
                        "Fichier à écrire : CSV, ou classeur quand son nom finit par .xlsx ; "
                        "- pour la sortie standard (CSV)."
                    )
                ),
            ),
        )
    ):
        function = decorator(function)
    return function


def _day(value) -> date | None:
    return value.date() if value else None


def _export(rows_function, count_function, label: Message, date_from, date_to, sites, out: str):
    """Write the export to ``out`` and return how many rows it holds."""
    workbook = out != "-" and out.lower().endswith(".xlsx")
    filters = (_day(date_from), _day(date_to), sites)
    with cli_session() as session, _user_errors():
        total = count_function(session, *filters) if out != "-" else 0
        rows = rows_function(session, *filters, typed=workbook)
        with _bar(total, label) as progress:
            if out == "-":
                return write_csv(rows, sys.stdout)
            if workbook:
                return write_xlsx(rows, out, progress)
            with open(out, "w", encoding="utf-8", newline="") as handle:
                return write_csv(rows, handle, progress)


@click.group(
    "export",
    help=_t(
        _l(
            "Exporte des réponses ou des réclamations en CSV (les formats "
            "d'import) ou en classeur XLSX."
        )
    ),
)
def export_group() -> None:
    pass


@export_group.command(
    "responses", help=_t(_l("Réponses données du --from au --to (dates incluses, heure de Paris)."))
)
@_export_options
@with_appcontext
def export_responses(date_from, date_to, sites, out) -> None:
    count = _export(response_rows, count_responses, _l("réponses"), date_from, date_to, sites, out)
    written = _ln(
        "{count} réponse écrite dans {out}", "{count} réponses écrites dans {out}", count, out=out
    )
    click.echo(_t(written), err=out == "-")


@export_group.command(
    "reclamations", help=_t(_l("Réclamations reçues du --from au --to (dates incluses)."))
)
@_export_options
@with_appcontext
def export_reclamations(date_from, date_to, sites, out) -> None:
    count = _export(
        reclamation_rows, count_reclamations, _l("réclamations"), date_from, date_to, sites, out
    )
    written = _ln(
        "{count} réclamation écrite dans {out}",
        "{count} réclamations écrites dans {out}",
        count,
        out=out,
    )
    click.echo(_t(written), err=out == "-")


commands = [import_group, export_group]
