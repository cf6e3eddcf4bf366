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
from .common import user_text as _t


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


@click.command(
    "qr", help=_t(_l("Écrit le QR code ou l'affiche imprimable d'un site et d'un service."))
)
@click.option("--site", required=True, help=_t(_l("Code du site, par exemple 92-nanterre.")))
@click.option("--service", required=True, help=_t(_l("Code du service, par exemple etrangers.")))
@click.option(
    "--campaign", default=None, help=_t(_l("Code de la campagne que porte le lien (facultatif)."))
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_t(_l("FICHIER.png ou FICHIER.svg (QR code) ou FICHIER.pdf (affiche A4).")),
)
@click.option(
    "--url",
    "print_url",
    is_flag=True,
    help=_t(_l("Affiche plutôt l'adresse signée du questionnaire.")),
)
@with_appcontext
def qr_command(site, service, campaign, out, print_url):
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


@click.group("tablets", help=_t(_l("Enregistre les tablettes des halls d'accueil.")))
def tablets_group():
    pass


@tablets_group.command(
    "add", help=_t(_l("Enregistre une tablette et affiche son lien d'inscription à usage unique."))
)
@click.option("--site", required=True, help=_t(_l("Code du site.")))
@click.option("--service", required=True, help=_t(_l("Code du service.")))
@click.option(
    "--name",
    required=True,
    help=_t(_l("Un nom pour reconnaître la tablette (par exemple Hall A).")),
)
@with_appcontext
def tablets_add(site, service, name):
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
    help=_t(
        _l(
            "Publie même si un critère n'a pas de libellé dans une langue des usagers (le "
            "français s'affiche)."
        )
    ),
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


@click.group(
    "questionnaires",
    help=_t(_l("Questionnaires (la page Questionnaires du back-office en fait autant, et plus).")),
)
def questionnaires_group():
    pass


@questionnaires_group.command(
    "add",
    help=_t(
        _l(
            "Crée un questionnaire, ou sa version suivante quand les critères diffèrent de la "
            "dernière ; publié aussitôt. Affiche la version."
        )
    ),
)
@click.argument("code")
@click.option("--name", required=True, help=_t(_l("Titre, en français.")))
@click.option(
    "--criteria",
    required=True,
    help=_t(
        _l(
            "Codes des critères dans l'ordre des questions, séparés par des virgules (par exemple "
            "overall,courtesy,effort)."
        )
    ),
)
@FALLBACK_OPTION
@with_appcontext
def questionnaires_add(code, name, criteria, french_fallback):
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


@click.group(
    "campaigns",
    help=_t(_l("Campagnes : un questionnaire sur des dates, dans des sites et des services.")),
)
def campaigns_group():
    pass


@campaigns_group.command(
    "add",
    help=_t(
        _l(
            "Crée une campagne sur la dernière version d'un questionnaire (un brouillon est "
            "publié dès le premier jour de la campagne)."
        )
    ),
)
@click.argument("code")
@click.option("--name", required=True, help=_t(_l("Le nom de la campagne.")))
@click.option(
    "--questionnaire", "questionnaire_code", required=True, help=_t(_l("Code du questionnaire."))
)
@click.option("--from", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "ends_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--site",
    "places",
    multiple=True,
    help=_t(_l("SITE ou SITE/SERVICE, répétable ; sans cette option, tous les sites et services.")),
)
@click.option(
    "--target",
    type=click.IntRange(0, 1_000_000),
    default=0,
    help=_t(_l("Nombre de réponses visé.")),
)
@FALLBACK_OPTION
@with_appcontext
def campaigns_add(
    code, name, questionnaire_code, starts_on, ends_on, places, target, french_fallback
):
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
