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
from .common import user_text as _t


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


@click.command(
    "report",
    help=_t(
        _l(
            "Écrit le rapport de la campagne (JSON, CSV, XLSX, HTML, PDF ou la présentation PPTX "
            "du comité)."
        )
    ),
)
@click.option("--campaign", "campaign_code", help=_t(_l("Code de la campagne.")))
@click.option("--from", "date_from", help=_t(_l("Premier jour (AAAA-MM-JJ).")))
@click.option("--to", "date_to", help=_t(_l("Dernier jour (AAAA-MM-JJ).")))
@click.option("--site", "sites", multiple=True, help=_t(_l("Code de site (répétable).")))
@click.option("--service", "services", multiple=True, help=_t(_l("Code de service (répétable).")))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(("fr", "en")), default="fr", show_default=True)
def report_command(campaign_code, date_from, date_to, sites, services, fmt, out, lang):
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


@click.command(
    "poster",
    help=_t(
        _l(
            "Écrit l'affiche de transparence d'un site pour un trimestre ou une période (PDF A4) "
            ": ses résultats, les indicateurs de registre cochés pour l'affiche, les actions "
            "réalisées, le QR code."
        )
    ),
)
@click.option("--site", "site_code", required=True, help=_t(_l("Code du site.")))
@click.option("--service", "service_code", help=_t(_l("Service du QR code (accueil par défaut).")))
@click.option("--quarter", help=_t(_l("Trimestre (AAAA-T1 à AAAA-T4), au lieu de --from et --to.")))
@click.option("--from", "date_from", help=_t(_l("Premier jour (AAAA-MM-JJ).")))
@click.option("--to", "date_to", help=_t(_l("Dernier jour (AAAA-MM-JJ).")))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(("fr", "en")), default="fr", show_default=True)
@with_app
def poster_command(site_code, service_code, quarter, date_from, date_to, out, lang):
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


@click.group("tallies", help=_t(_l("Décomptes des notes que lisent les rapports.")))
def tallies_group():
    pass


@tallies_group.command(
    "rebuild",
    help=_t(
        _l(
            "Recalcule les décomptes à partir de toutes les réponses enregistrées (après une "
            "restauration ou un chargement en masse)."
        )
    ),
)
@with_app
def tallies_rebuild():
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
