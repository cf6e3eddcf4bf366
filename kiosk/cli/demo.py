"""``avis demo``: build the Hauts-de-Seine demonstration in the configured database, print
where to sign in and which tablets to enrol, then serve the app.

Its messages are in the user's language as the data commands' are: French, or English under
an English ``LANG``, from the catalog of ``surveys.i18n``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from werkzeug.routing import BuildError

from surveys.i18n import Message, _l, _ln

from ..db import engine
from .common import cli_session
from .common import user_text as _t

if TYPE_CHECKING:
    from surveys.demo.guard import ForeignData


def _url(base: str, endpoint: str, fallback: str, **values) -> str:
    """Return the absolute URL of ``endpoint`` on ``base`` (``fallback`` path if unknown)."""
    try:
        with current_app.test_request_context(base_url=base):
            return url_for(endpoint, _external=True, **values)
    except BuildError:
        return base + fallback


def _ready(summary) -> Message:
    """Return « Démo prête : 1 080 réponses et 392 réclamations ajoutées… »."""
    return _l(
        "Démo prête : {responses} et {reclamations} ajoutées à ce lancement (2022 : les "
        "chiffres des Hauts-de-Seine du seed 003 ; activité récente : du {first} au {last}, "
        "{waiting} en attente de réponse, dont {overdue} en retard).",
        responses=_ln("{count} réponse", "{count} réponses", summary.responses_created),
        reclamations=_ln(
            "{count} réclamation", "{count} réclamations", summary.reclamations_created
        ),
        first=summary.recent_from,
        last=summary.recent_to,
        waiting=_ln("{count} réclamation", "{count} réclamations", summary.open_reclamations),
        overdue=summary.overdue_reclamations,
    )


def _print_demo(summary, base: str) -> None:
    def echo(message: Message, indent: str = "") -> None:
        click.echo(indent + _t(message))

    echo(_ready(summary))
    click.echo("")
    echo(_l("Back-office : {url}", url=_url(base, "auth.login", "/auth/login")))
    for role, email, password, scope in summary.users:
        line = _l(
            "{role} {email} mot de passe : {password} périmètre : {scope}",
            role=f"{role:<8}",
            email=f"{email:<32}",
            password=f"{password:<20}",
            scope=scope or _l("tous les sites"),
        )
        echo(line, indent="  ")
    echo(
        _l(
            "Tablettes (ouvrez l'adresse d'enregistrement sur la tablette ; une seule fois, "
            "valable 24 heures) :"
        )
    )
    for site, service, name, code in summary.tablets:
        if code:
            link = _url(base, "tablet.enrol", f"/kiosk/enrol/{code}", code=code)
        else:
            link = _l("déjà enregistrée")
        place = f"{site}/{service}"
        echo(_l("{name} ({place}) : {link}", name=name, place=place, link=link), indent="  ")
    try:
        from kiosk.public.tokens import make_survey_token, survey_path

        with current_app.app_context():
            qr = base + survey_path(make_survey_token("92-nanterre", "etrangers"))
    except ImportError:
        qr = _url(base, "public.web_survey", "/avis/92-nanterre/etrangers",
                  site="92-nanterre", service="etrangers")  # fmt: skip
    echo(_l("Questionnaire QR (Nanterre, bureau du séjour des étrangers) : {url}", url=qr))
    web = _url(base, "public.choose_service", "/avis")
    echo(_l("Questionnaire web (tout site et service) : {url}", url=web))


def _foreign(found: ForeignData) -> Message:
    """Return « 1 site qui lui est propre (75-paris) et 2 comptes… », what the database
    holds besides the demo."""
    parts = []
    if found.sites:
        codes = ", ".join(found.sites[:3]) + (", ..." if len(found.sites) > 3 else "")
        parts.append(
            _ln(
                "{count} site qui lui est propre ({codes})",
                "{count} sites qui lui sont propres ({codes})",
                len(found.sites),
                codes=codes,
            )
        )
    if found.accounts:
        parts.append(
            _ln(
                "{count} compte qui n'est pas de la démo",
                "{count} comptes qui ne sont pas de la démo",
                found.accounts,
            )
        )
    if len(parts) == 1:
        return parts[0]
    return _l("{first} et {second}", first=parts[0], second=parts[1])


@click.command(
    "demo",
    help=_t(
        _l("Construit la démo des Hauts-de-Seine dans la base configurée, puis sert l'application.")
    ),
)
@click.option("--no-serve", is_flag=True, help=_t(_l("Construit la démo, puis s'arrête.")))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--scale", default=1.0, type=float, hidden=True)
@click.option(
    "--force",
    is_flag=True,
    help=_t(
        _l(
            "Charge la démo (des comptes aux mots de passe publiés) même dans une base qui "
            "contient d'autres sites ou comptes, ou avec des réglages de production "
            "(AVIS_SECURE_COOKIES)."
        )
    ),
)
@with_appcontext
def demo(no_serve: bool, host: str, port: int, scale: float, force: bool) -> None:
    from surveys import migrate  # alembic only when the demo needs it
    from surveys.demo import build_demo
    from surveys.demo.guard import foreign_data

    if current_app.config["SESSION_COOKIE_SECURE"] and not force:
        message = _l(
            "AVIS_SECURE_COOKIES est défini : ces réglages sont ceux d'une production, et la "
            "démo ajoute des comptes dont les mots de passe sont publiés. Retirez-le pour une "
            "démo, ou ajoutez --force."
        )
        raise click.ClickException(_t(message))
    # Checked before any migration: a database that is not the demo's is left untouched.
    if not force and inspect(engine()).has_table("user_account"):
        with cli_session() as session:
            found = foreign_data(session)
        if found:
            url = make_url(current_app.config["AVIS_DATABASE_URL"])
            message = _l(
                "la base de données configurée ({url}) n'est pas une base de démo : elle "
                "contient {found}. La démo ajoute des comptes dont les mots de passe sont "
                "publiés ; faites pointer AVIS_DATABASE_URL vers une autre base, ou ajoutez "
                "--force.",
                url=url.render_as_string(hide_password=True),
                found=_foreign(found),
            )
            raise click.ClickException(_t(message))
    migrate.upgrade(engine())
    with cli_session() as session:
        summary = build_demo(session, scale=scale)
    base = current_app.config["AVIS_BASE_URL"] if no_serve else f"http://{host}:{port}"
    _print_demo(summary, base)
    if not no_serve:
        # Flask refuses app.run() inside a CLI command; the werkzeug server is enough here.
        from werkzeug.serving import run_simple

        click.echo(_t(_l("Sert sur {url} (Ctrl+C l'arrête).", url=f"http://{host}:{port}")))
        run_simple(host, port, current_app._get_current_object(), threaded=True)


commands = [demo]
