"""``avis demo``: build the Hauts-de-Seine demonstration in the configured database, print
where to sign in and which tablets to enrol, then serve the app.

Its messages are still English only: unlike the data commands', they are not yet in the
catalog of ``surveys.i18n``."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from werkzeug.routing import BuildError

from ..db import engine
from .common import cli_session


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
    from surveys import migrate  # alembic only when the demo needs it
    from surveys.demo import build_demo
    from surveys.demo.guard import foreign_data

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
    migrate.upgrade(engine())
    with cli_session() as session:
        summary = build_demo(session, scale=scale)
    base = current_app.config["AVIS_BASE_URL"] if no_serve else f"http://{host}:{port}"
    _print_demo(summary, base)
    if not no_serve:
        # Flask refuses app.run() inside a CLI command; the werkzeug server is enough here.
        from werkzeug.serving import run_simple

        click.echo(f"Serving on http://{host}:{port} (Ctrl+C stops).")
        run_simple(host, port, current_app._get_current_object(), threaded=True)


commands = [demo]
