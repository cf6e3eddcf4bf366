"""``avis import``, ``avis export`` and ``avis demo``: data in and out of Avis.

Imports read CSV (as spreadsheets save it) or XLSX; exports write the contract's CSV, or a
workbook when ``--out`` ends in ``.xlsx``. Their messages are in the language of ``LANG``
(French unless it is English), from the catalog of ``surveys.i18n``."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from werkzeug.routing import BuildError

from surveys import DomainError
from surveys.exports import (
    count_reclamations,
    count_responses,
    reclamation_rows,
    response_rows,
    write_csv,
    write_xlsx,
)
from surveys.i18n import Message, _l, language_from_environment, render
from surveys.imports import (
    import_indicators,
    import_reclamations,
    import_responses,
    import_sites,
)
from surveys.reclamations import parse_reply_days
from surveys.sheets import count_rows

from ..db import engine
from .common import cli_session

# Files and exports with fewer rows than this go without a progress bar.
PROGRESS_FROM_ROWS = 5_000


def _t(message: Message) -> str:
    """Return ``message`` in the user's language (``LANG``, read at each message)."""
    return message.render(language_from_environment())


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


def _report(result, summary: Message, details: Sequence[Message] = ()) -> None:
    """Say how the file was read, then each of ``details``, then the counts."""
    reading = result.reading()
    if reading is not None:
        click.echo(_t(reading))
    for detail in details:
        click.echo(_t(detail))
    click.echo(_t(summary))


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
    with (
        _progress(file, _l("services")) as progress,
        cli_session() as session,
        _user_errors(),
    ):
        result = import_sites(session, file, progress=progress)
    _report(
        result,
        _l(
            "{read} services lus : {created} créés, {updated} mis à jour, "
            "{unchanged} déjà enregistrés",
            **_counts(result),
        ),
    )


def _counts(result) -> dict[str, int]:
    return {
        "read": result.read,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


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
    with (
        _progress(file, _l("réponses")) as progress,
        cli_session() as session,
        _user_errors(),
    ):
        result = import_responses(session, file, progress=progress)
    _report(
        result,
        _l(
            "{read} réponses lues : {created} créées, {updated} mises à jour, "
            "{unchanged} déjà enregistrées",
            **_counts(result),
        ),
    )


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
    with (
        _progress(file, _l("réclamations")) as progress,
        cli_session() as session,
        _user_errors(),
    ):
        reply_days = parse_reply_days(current_app.config.get("AVIS_REPLY_DAYS"))
        result = import_reclamations(session, file, progress=progress, reply_days=reply_days)
    _report(
        result,
        _l(
            "{read} réclamations lues : {created} créées, {updated} mises à jour, "
            "{unchanged} déjà enregistrées",
            **_counts(result),
        ),
    )


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
    with (
        _progress(file, _l("valeurs mensuelles")) as progress,
        cli_session() as session,
        _user_errors(),
    ):
        result = import_indicators(session, file, progress=progress)
    _report(
        result,
        _l(
            "{read} valeurs mensuelles lues : {created} créées, {updated} mises à jour, "
            "{unchanged} déjà enregistrées",
            **_counts(result),
        ),
        details=result.replaced,
    )


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
    click.echo(_t(_l("{count} réponses écrites dans {out}", count=count, out=out)), err=out == "-")


@export_group.command(
    "reclamations", help=_t(_l("Réclamations reçues du --from au --to (dates incluses)."))
)
@_export_options
@with_appcontext
def export_reclamations(date_from, date_to, sites, out) -> None:
    count = _export(
        reclamation_rows, count_reclamations, _l("réclamations"), date_from, date_to, sites, out
    )
    click.echo(
        _t(_l("{count} réclamations écrites dans {out}", count=count, out=out)), err=out == "-"
    )


def _url(base: str, endpoint: str, fallback: str, **values) -> str:
    """Return the absolute URL of ``endpoint`` on ``base`` (``fallback`` path if unknown)."""
    try:
        with current_app.test_request_context(base_url=base):
            return url_for(endpoint, _external=True, **values)
    except BuildError:
        return base + fallback


def _print_demo(summary, base: str) -> None:
    echo = click.echo
    echo(
        f"Demo ready: {summary.responses_created} responses and "
        f"{summary.reclamations_created} réclamations added this run "
        "(2022: Hauts-de-Seine figures of seed 003; recent activity: "
        f"{summary.recent_from} to {summary.recent_to}, {summary.open_reclamations} réclamations "
        f"awaiting a reply, {summary.overdue_reclamations} of them overdue)."
    )
    echo("")
    echo(f"Back office:  {_url(base, 'auth.login', '/auth/login')}")
    for role, email, password, scope in summary.users:
        echo(f"  {role:<8} {email:<32} password: {password:<20} scope: {scope}")
    echo("Tablets (open the enrolment URL on the tablet; one-time, valid 24 hours):")
    for site, service, name, code in summary.tablets:
        if code:
            link = _url(base, "tablet.enrol", f"/kiosk/enrol/{code}", code=code)
        else:
            link = "already enrolled"
        echo(f"  {name} ({site}/{service}): {link}")
    try:
        from kiosk.public.tokens import make_survey_token, survey_path

        with current_app.app_context():
            qr = base + survey_path(make_survey_token("92-nanterre", "etrangers"))
    except ImportError:
        qr = _url(base, "public.web_survey", "/avis/92-nanterre/etrangers",
                  site="92-nanterre", service="etrangers")  # fmt: skip
    echo(f"QR survey (Nanterre, bureau du séjour des étrangers): {qr}")
    echo(f"Web survey (any site and service): {_url(base, 'public.choose_service', '/avis')}")


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Build the demo data and stop.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--scale", default=1.0, type=float, hidden=True)
@click.option(
    "--force",
    is_flag=True,
    help="Load the demo (accounts with published passwords) even into a database holding "
    "other sites or accounts, or with production settings (AVIS_SECURE_COOKIES).",
)
@with_appcontext
def demo(no_serve: bool, host: str, port: int, scale: float, force: bool) -> None:
    """Build the Hauts-de-Seine demo in the configured database, then serve the app."""
    from surveys import schema  # alembic only when the demo needs it
    from surveys.demo import build_demo
    from surveys.demo_guard import foreign_data

    if current_app.config["SESSION_COOKIE_SECURE"] and not force:
        raise click.ClickException(
            "AVIS_SECURE_COOKIES is set: these look like production settings, and the demo "
            "adds accounts whose passwords are published. Unset it for a demo, or add --force."
        )
    # Checked before any migration: a database that is not the demo's is left untouched.
    if not force and inspect(engine()).has_table("user_account"):
        with cli_session() as session:
            found = foreign_data(session)
        if found:
            url = make_url(current_app.config["AVIS_DATABASE_URL"])
            raise click.ClickException(
                f"the configured database ({url.render_as_string(hide_password=True)}) is not "
                f"a demo database: it holds {' and '.join(found)}. The demo adds accounts whose "
                "passwords are published; point AVIS_DATABASE_URL at another database, or add "
                "--force."
            )
    schema.upgrade(engine())
    with cli_session() as session:
        summary = build_demo(session, scale=scale)
    base = current_app.config["AVIS_BASE_URL"] if no_serve else f"http://{host}:{port}"
    _print_demo(summary, base)
    if not no_serve:
        # Flask refuses app.run() inside a CLI command; the werkzeug server is enough here.
        from werkzeug.serving import run_simple

        click.echo(f"Serving on http://{host}:{port} (Ctrl+C stops).")
        run_simple(host, port, current_app._get_current_object(), threaded=True)


commands = [import_group, export_group, demo]
