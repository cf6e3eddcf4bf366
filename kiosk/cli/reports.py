"""``avis report``, ``avis poster`` and ``avis tallies rebuild``: the quality mission's outputs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from analysis.filters import make_filters
from analysis.outputs import FORMATS, render_report
from surveys import DomainError
from surveys.bounds import FIRST_DAY, LAST_DAY, parse_day
from surveys.i18n import _l, _ln
from surveys.reclamations import site_today

from .common import cli_session, read_session, refusal_text, say, user_text, with_app


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value, value)
    except DomainError as error:
        not_a_day = _l(
            "{value} n'est pas une date AAAA-MM-JJ entre {first} et {last}",
            value=value,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
        raise click.BadParameter(user_text(not_a_day)) from error


@click.command("report")
@click.option("--campaign", "campaign_code", help="Code de la campagne.")
@click.option("--from", "date_from", help="Premier jour (AAAA-MM-JJ).")
@click.option("--to", "date_to", help="Dernier jour (AAAA-MM-JJ).")
@click.option("--site", "sites", multiple=True, help="Code de site (répétable).")
@click.option("--service", "services", multiple=True, help="Code de service (répétable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(("fr", "en")), default="fr", show_default=True)
def report_command(campaign_code, date_from, date_to, sites, services, fmt, out, lang):
    """Write the campaign report (JSON, CSV, XLSX, HTML, PDF or the committee's PPTX deck)."""
    # No app context: the report needs only the database (the app's when one is at hand).
    try:
        with read_session() as session:
            filters = make_filters(
                session,
                campaign_code=campaign_code,
                date_from=_day(date_from),
                date_to=_day(date_to),
                site_codes=list(sites),
                service_codes=list(services),
            )
            content = render_report(session, filters, fmt, lang)
    except DomainError as error:
        raise click.ClickException(refusal_text(error)) from error
    out.write_bytes(content)
    click.echo(f"{out} ({filters.date_from} – {filters.date_to})", err=True)


@click.command("poster")
@click.option("--site", "site_code", required=True, help="Code du site.")
@click.option("--service", "service_code", help="Service du QR code (accueil par défaut).")
@click.option("--quarter", help="Trimestre (AAAA-T1 à AAAA-T4), au lieu de --from et --to.")
@click.option("--from", "date_from", help="Premier jour (AAAA-MM-JJ).")
@click.option("--to", "date_to", help="Dernier jour (AAAA-MM-JJ).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(("fr", "en")), default="fr", show_default=True)
@with_app
def poster_command(site_code, service_code, quarter, date_from, date_to, out, lang):
    """Write the transparency poster of a site for a quarter or a period (A4 PDF): its
    results, the register indicators ticked for the poster, the actions done, the QR code."""
    from sqlalchemy import select

    from analysis.poster import parse_quarter, poster_figures, poster_pdf
    from surveys.models import Site

    from ..posters import qr_svg
    from ..public.tokens import survey_url

    if quarter and (date_from or date_to):
        raise click.UsageError("--quarter ou --from/--to, pas les deux")
    try:
        if quarter:
            first, last = parse_quarter(quarter)
            date_from, date_to = first.isoformat(), last.isoformat()
        with read_session() as session:
            filters = make_filters(
                session, date_from=_day(date_from), date_to=_day(date_to), site_codes=[site_code]
            )
            site = session.scalar(select(Site).where(Site.code == site_code))
            codes = [service.code for service in site.services]
            if service_code and service_code not in codes:
                raise click.BadParameter(
                    user_text(_l("{code} n'est pas un service du site", code=service_code))
                )
            service_code = service_code or site.default_service_code()
            if service_code is None:
                raise click.ClickException(
                    user_text(_l("{code} n'a aucun service : rien à afficher", code=site_code))
                )
            figures = poster_figures(
                session, site_code, filters.date_from, filters.date_to, site_today(site)
            )
    except DomainError as error:
        raise click.ClickException(refusal_text(error)) from error
    url = survey_url(site_code, service_code)
    out.write_bytes(poster_pdf(figures, qr_svg(url), url, lang))
    click.echo(f"{out} ({filters.date_from} – {filters.date_to})", err=True)


@click.group("tallies")
def tallies_group():
    """Tallies of ratings that reports read."""


@tallies_group.command("rebuild")
@with_app
def tallies_rebuild():
    """Recompute the tallies from every stored answer (after a restore or a bulk load)."""
    from surveys.tallies import rebuild_tallies

    with cli_session() as session:
        count = rebuild_tallies(
            session,
            progress=lambda done: click.echo(
                "\r" + user_text(_ln("{count} réponse", "{count} réponses", done)),
                err=True,
                nl=False,
            ),
        )
    click.echo(err=True)
    say(_ln("{count} réponse comptée.", "{count} réponses comptées.", count), err=True)


commands: list = [report_command, poster_command, tallies_group]
