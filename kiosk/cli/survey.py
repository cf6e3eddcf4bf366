"""``avis qr`` (QR code or poster of a site and service), ``avis tablets add``, and
``avis questionnaires add`` / ``avis campaigns add`` (for history and scripts)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys.calendar import local_today
from surveys.campaigns import save_campaign
from surveys.i18n import _l
from surveys.models import Campaign, Service, Site
from surveys.questionnaires import add_questionnaire, latest_version
from surveys.tablets import register_tablet

from .common import cli_session, say, user_text


def warn_if_local(url: str) -> None:
    """Say on standard error when an address to print or send away points to this machine."""
    from ..config import is_local_address

    if is_local_address(url):
        say(
            _l(
                "attention : {url} désigne cette machine et n'atteint aucun téléphone ni "
                "aucune tablette ; réglez AVIS_BASE_URL sur l'adresse publique d'Avis (par "
                "exemple AVIS_BASE_URL=https://avis.example.fr)",
                url=url,
            ),
            err=True,
        )


def _service(session, site: str, service: str) -> Service:
    found = session.scalars(Service.by_codes(site, service)).first()
    if found is None:
        raise click.ClickException(
            user_text(_l("site ou service inconnu : {place}", place=f"{site}/{service}"))
        )
    return found


@click.command("qr")
@click.option("--site", required=True, help="Site code, e.g. 92-nanterre.")
@click.option("--service", required=True, help="Service code, e.g. etrangers.")
@click.option("--campaign", default=None, help="Campaign code carried by the link (optional).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.png or FILE.svg (QR code) or FILE.pdf (A4 poster).",
)
@click.option("--url", "print_url", is_flag=True, help="Print the signed survey URL instead.")
@with_appcontext
def qr_command(site, service, campaign, out, print_url):
    """Write the QR code or printable poster of a site and service."""
    from sqlalchemy import select

    from ..posters import render
    from ..public.tokens import survey_url

    with cli_session() as session:
        found = _service(session, site, service)
        if (
            campaign
            and session.scalars(select(Campaign).where(Campaign.code == campaign)).first() is None
        ):
            raise click.ClickException(user_text(_l("campagne inconnue : {code}", code=campaign)))
        url = survey_url(site, service, campaign)
        warn_if_local(url)
        if print_url:
            click.echo(url)
            return
        if out is None:
            raise click.UsageError(user_text(_l("donnez --out FICHIER.(png|svg|pdf) ou --url")))
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("png", "svg", "pdf"):
            raise click.BadParameter(
                user_text(_l("le fichier doit finir par .png, .svg ou .pdf")), param_hint="--out"
            )
        web_url = current_app.config["AVIS_BASE_URL"] + "/avis"
        data = render(fmt, found.site, found.name, url, web_url)
    out.write_bytes(data)
    say(_l("{file} ({size} octets) -> {url}", file=str(out), size=len(data), url=url))


@click.group("tablets")
def tablets_group():
    """Register kiosk tablets."""


@tablets_group.command("add")
@click.option("--site", required=True, help="Site code.")
@click.option("--service", required=True, help="Service code.")
@click.option("--name", required=True, help="A name to recognise the tablet (e.g. Hall A).")
@with_appcontext
def tablets_add(site, service, name):
    """Register a tablet and print its one-time enrolment URL."""
    minutes = current_app.config["AVIS_ENROLMENT_MINUTES"]
    with cli_session() as session:
        tablet, code = register_tablet(session, _service(session, site, service), name, minutes)
        tablet_id = tablet.id
    url = f"{current_app.config['AVIS_BASE_URL']}/kiosk/enrol/{code}"
    warn_if_local(url)
    say(_l("Tablette {id} enregistrée pour {place}.", id=tablet_id, place=f"{site}/{service}"))
    say(
        _l(
            "Ouvrez ce lien sur la tablette dans les {minutes} minutes (une seule fois) : {url}",
            minutes=minutes,
            url=url,
        )
    )


FALLBACK_OPTION = click.option(
    "--french-fallback",
    is_flag=True,
    help="Publish even where a criterion has no label in an usager language (French shows).",
)


@contextmanager
def _explained_refusal():
    """A publication refused for missing labels says which languages and what to do."""
    from surveys.questionnaires import MissingLanguages

    try:
        yield
    except click.ClickException as error:
        cause = error.__cause__
        if isinstance(cause, MissingLanguages):
            missing = _l(
                "aucun libellé en {languages} pour certains critères : ajoutez-les dans le "
                "back-office (Questionnaires, Critères), ou donnez --french-fallback pour "
                "montrer à ces usagers le texte français",
                languages=", ".join(cause.languages),
            )
            raise click.ClickException(user_text(missing)) from cause
        raise


@click.group("questionnaires")
def questionnaires_group():
    """Questionnaires (the back office's Questionnaires page does the same and more)."""


@questionnaires_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="Title, in French.")
@click.option(
    "--criteria",
    required=True,
    help="Criterion codes in the order asked, comma separated (e.g. overall,courtesy,effort).",
)
@FALLBACK_OPTION
@with_appcontext
def questionnaires_add(code, name, criteria, french_fallback):
    """Create a questionnaire, or its next version when the criteria differ from the latest;
    published at once. Prints the version."""
    with _explained_refusal():
        with cli_session() as session:
            questionnaire, made = add_questionnaire(
                session,
                code=code,
                name=name,
                criterion_codes=criteria.split(","),
                today=local_today(),
                french_fallback=french_fallback,
            )
            code, version = questionnaire.code, questionnaire.version
    state = _l("créée") if made else _l("inchangée : la dernière version pose déjà ces critères")
    say(
        _l(
            "Questionnaire {code} version {version}, publiée ({state}).",
            code=code,
            version=version,
            state=state,
        ),
        err=True,
    )
    click.echo(version)


def _scopes(session, places: tuple[str, ...]) -> list[tuple[int, int | None]]:
    """(site id, service id or None) of ``SITE[/SERVICE]`` arguments; none: every site."""
    from sqlalchemy import select

    if not places:
        return [(site_id, None) for site_id in session.scalars(select(Site.id).order_by(Site.id))]
    scopes = []
    for place in places:
        site_code, _sep, service_code = place.strip().partition("/")
        if service_code:
            service = _service(session, site_code, service_code)
            scopes.append((service.site_id, service.id))
            continue
        site = session.scalar(Site.by_code(site_code))
        if site is None:
            raise click.ClickException(user_text(_l("site inconnu : {code}", code=site_code)))
        scopes.append((site.id, None))
    return scopes


@click.group("campaigns")
def campaigns_group():
    """Campaigns: a questionnaire over dates on sites and services."""


@campaigns_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The campaign's name.")
@click.option("--questionnaire", "questionnaire_code", required=True, help="Questionnaire code.")
@click.option("--from", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "ends_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--site",
    "places",
    multiple=True,
    help="SITE or SITE/SERVICE, repeatable; without it, every site and service.",
)
@click.option("--target", type=click.IntRange(0, 1_000_000), default=0, help="Responses aimed at.")
@FALLBACK_OPTION
@with_appcontext
def campaigns_add(
    code, name, questionnaire_code, starts_on, ends_on, places, target, french_fallback
):
    """Create a campaign running the latest version of a questionnaire (a draft is published
    from the campaign's first day)."""
    with _explained_refusal(), cli_session() as session:
        questionnaire = latest_version(session, questionnaire_code.strip().lower())
        if questionnaire is None:
            unknown = _l(
                "questionnaire inconnu : {code} (avis questionnaires add CODE --name NOM "
                "--criteria C1,C2,… en crée un)",
                code=questionnaire_code,
            )
            raise click.ClickException(user_text(unknown))
        campaign = save_campaign(
            session,
            None,
            code=code,
            name=name,
            questionnaire_id=questionnaire.id,
            starts_on=starts_on.date(),
            ends_on=ends_on.date(),
            target_n=target,
            target_rate=0.8,
            scopes=_scopes(session, places),
            french_fallback=french_fallback,
        )
        summary = _l(
            "Campagne {code} (du {start} au {end}) : {questionnaire} version {version}, "
            "{places} site(s) ou service(s).",
            code=campaign.code,
            start=campaign.starts_on.isoformat(),
            end=campaign.ends_on.isoformat(),
            questionnaire=questionnaire.code,
            version=questionnaire.version,
            places=len(campaign.scopes),
        )
    say(summary)


commands = [qr_command, tablets_group, questionnaires_group, campaigns_group]
