"""``avis import``, ``avis export`` and ``avis demo``: data in and out of Avis."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from werkzeug.routing import BuildError

from surveys.exports import reclamation_rows, response_rows, write_csv
from surveys.imports import import_reclamations, import_responses, import_sites
from surveys.reclamations import parse_reply_days

from ..db import engine
from .common import cli_session

# Files with fewer lines than this import without a progress bar.
PROGRESS_FROM_LINES = 20_000


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


@contextmanager
def _progress(path: Path, label: str) -> Iterator:
    """Yield a callback advancing a progress bar on stderr (a no-op on small files, and on a
    pipe, which can be read only once and whose length is not known ahead)."""
    lines = _count_lines(path) if Path(path).is_file() else 0
    if lines < PROGRESS_FROM_LINES:
        yield None
        return
    with click.progressbar(
        length=max(lines - 1, 1), label=label, file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        yield bar.update


@click.group("import")
def import_group() -> None:
    """Import sites, responses, réclamations or indicator values from a CSV file (README)."""


def _report(result, what: str) -> None:
    click.echo(
        f"{result.read} {what} read: {result.created} created, "
        f"{result.updated} updated, {result.unchanged} already stored"
    )


@import_group.command("sites")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_sites_command(file: Path) -> None:
    """Create or update sites and services (site,site_name,departement,service,service_name)."""
    with cli_session() as session:
        result = import_sites(session, file)
    _report(result, "services")


@import_group.command("responses")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_responses_command(file: Path) -> None:
    """Import responses; a file with a bad line stores nothing, a re-import nothing new."""
    with _progress(file, "responses") as progress, cli_session() as session:
        result = import_responses(session, file, progress=progress)
    _report(result, "responses")


@import_group.command("reclamations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_reclamations_command(file: Path) -> None:
    """Import réclamations; a file with a bad line stores nothing, a re-import nothing new."""
    with _progress(file, "réclamations") as progress, cli_session() as session:
        reply_days = parse_reply_days(current_app.config.get("AVIS_REPLY_DAYS"))
        result = import_reclamations(session, file, progress=progress, reply_days=reply_days)
    _report(result, "réclamations")


@import_group.command("indicators")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_indicators_command(file: Path) -> None:
    """Import monthly values of register indicators (site,indicator,month,value,count)."""
    from surveys.import_indicators import import_indicators

    with cli_session() as session:
        result = import_indicators(session, file)
    for line in result.replaced:
        click.echo(line)
    _report(result, "monthly values")


def _export_options(function):
    for decorator in reversed(
        (
            click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None),
            click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None),
            click.option("--site", "sites", multiple=True, help="Site code (repeatable)."),
            click.option(
                "--out",
                type=click.Path(dir_okay=False, writable=True, allow_dash=True),
                required=True,
                help="File to write, or - for standard output.",
            ),
        )
    ):
        function = decorator(function)
    return function


def _day(value) -> date | None:
    return value.date() if value else None


def _export(rows_function, what: str, date_from, date_to, sites, out: str) -> None:
    with cli_session() as session:
        rows = rows_function(session, _day(date_from), _day(date_to), sites)
        if out == "-":
            count = write_csv(rows, sys.stdout)
        else:
            with open(out, "w", encoding="utf-8", newline="") as handle:
                count = write_csv(rows, handle)
    click.echo(f"{count} {what} written to {out}", err=out == "-")


@click.group("export")
def export_group() -> None:
    """Export responses or réclamations as CSV (the import formats)."""


@export_group.command("responses")
@_export_options
@with_appcontext
def export_responses(date_from, date_to, sites, out) -> None:
    """Responses submitted between --from and --to (inclusive dates, Paris time)."""
    _export(response_rows, "responses", date_from, date_to, sites, out)


@export_group.command("reclamations")
@_export_options
@with_appcontext
def export_reclamations(date_from, date_to, sites, out) -> None:
    """Réclamations received between --from and --to (inclusive dates)."""
    _export(reclamation_rows, "réclamations", date_from, date_to, sites, out)


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
