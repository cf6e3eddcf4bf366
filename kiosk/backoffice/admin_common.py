"""What the administration pages share: domain errors shown on the right field, choices."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from surveys import DomainError
from surveys.audit import record
from surveys.bounds import FIRST_DAY, LAST_DAY
from surveys.calendar import HOME_TIMEZONE
from surveys.models import Service, Site
from surveys.users import user_scope

from . import bp

PARIS = ZoneInfo(HOME_TIMEZONE)
# The roles that handle réclamations (the inbox, the entry screens).
STAFF = ("admin", "quality", "agent")


def site_visible(site_id: int) -> bool:
    """Whether some part of this site is in the current user's scope (it is then listed)."""
    return user_scope(current_user).touches(site_id)


# What an agent reads when an operation is refused, by the domain error's field and code
# (where one code means different things on different fields), else by its code alone:
# never the domain's own ``error.message``, which an English-speaking agent would read as
# it is. The one table of the back office: every view words a refusal from here.
FIELD_ERRORS = {
    ("service", "unknown"): _l("Service inconnu."),
    ("site", "unknown"): _l("Site inconnu."),
    ("reply_channel", "unknown"): _l("Canal de réponse inconnu."),
    ("channel", "unknown"): _l("Choisissez le canal."),
    ("answered_on", "future"): _l("La date de réponse est dans le futur."),
    ("received_on", "required"): _l("Indiquez la date de réception."),
    ("received_on", "future"): _l("La date de réception est dans le futur."),
    ("received_on", "too_old"): _l("La date de réception est trop ancienne."),
    ("filled_on", "future"): _l("La date ne peut pas être après aujourd'hui."),
    ("comment", "too_long"): _l("Le commentaire est trop long (2 000 caractères au plus)."),
}
CODE_ERRORS = {
    "invalid_code": _l("Code invalide : lettres minuscules, chiffres, tirets et soulignés."),
    "invalid_place_code": _l("Code invalide : lettres minuscules, chiffres et tirets."),
    "duplicate": _l("Ce code existe déjà."),
    "required": _l("Ce champ est obligatoire."),
    "too_long": _l("Ce texte est trop long."),
    "french_required": _l("Le libellé en français est obligatoire."),
    "unknown": _l("Élément inconnu."),
    "unknown_site": _l("Site inconnu."),
    "unknown_service": _l("Service inconnu."),
    "dates_order": _l("Le dernier jour doit être après le premier."),
    "range": _l("Valeur hors des limites permises."),
    "frozen": _l("Cette campagne a déjà des réponses : son questionnaire ne peut plus changer."),
    "scope_required": _l("Choisissez au moins un site ou un service."),
    "own_role": _l("Vous ne pouvez pas changer votre propre rôle."),
    "too_short": _l("Le mot de passe doit compter au moins %(n)s caractères.", n=12),
    "too_common": _l("Ce mot de passe est trop courant. Choisissez-en un autre."),
    "revoked": _l("Cette tablette est retirée."),
    "inactive": _l("Ce service n'est plus en service."),
    "already_answered": _l("Ce message a déjà reçu sa réponse."),
    "already_closed": _l("Ce message est déjà clos."),
    "no_email": _l("L'usager n'a pas laissé d'adresse électronique."),
    "before_receipt": _l("La réponse précède la réception."),
    "line_break": _l("Ce champ ne peut pas contenir de saut de ligne."),
    "future": _l("Cette date est dans le futur."),
    "date": _l("Indiquez une date valide."),
    "day_range": _l(
        "Indiquez une date entre les années %(first)s et %(last)s.",
        first=FIRST_DAY.year,
        last=LAST_DAY.year,
    ),
    "integer": _l("Indiquez un nombre entier."),
    "number": _l("Un nombre est attendu."),
    "count": _l("Un nombre entier positif est attendu."),
    "negative": _l("La valeur ne peut pas être négative."),
    "rate": _l("Un taux est compris entre 0 et 100 %."),
    "large": _l("Valeur trop grande."),
    "empty": _l("Ni note ni commentaire : rien à enregistrer."),
}
INVALID = _l("Valeur invalide.")


def error_text(error: DomainError) -> str:
    """Return the text of a refused operation in the reader's language (FIELD_ERRORS, then
    CODE_ERRORS, else « Valeur invalide. »)."""
    text = FIELD_ERRORS.get((error.field, error.code)) or CODE_ERRORS.get(error.code, INVALID)
    return str(text)


def language_names(codes: list[str]) -> str:
    """Return usager languages by their names in the reader's language (« arabe, russe »)."""
    from babel import Locale
    from flask_babel import get_locale

    from ..i18n import babel_locale

    reader = get_locale()
    return ", ".join(Locale.parse(babel_locale(code)).get_display_name(reader) for code in codes)


def show_error(form: FlaskForm, error: DomainError, field_name: str | None = None) -> None:
    """Attach ``error`` to the form field it names, or ``field_name``, or the form."""
    from surveys.questionnaires import MissingLanguages

    if isinstance(error, MissingLanguages):
        text = _(
            "Des questions n'ont pas de libellé en : %(languages)s. Traduisez-les (page du "
            "critère), ou cochez la case pour que ces usagers lisent le français.",
            languages=language_names(error.languages),
        )
    else:
        text = error_text(error)
    name = field_name or error.field
    field = getattr(form, name, None) if name else None
    if field is None or not hasattr(field, "errors"):
        form.form_errors.append(text)
        return
    if not isinstance(field.errors, list):
        field.errors = list(field.errors)
    field.errors.append(text)


def audit(db: Session, action: str, object_type: str, object_id: object, detail=None) -> None:
    """Record a back-office action of the current user."""
    record(db, current_user.id, action, object_type, object_id, detail)


def get_or_404(db: Session, model: type, object_id: int):
    """Return the object or answer 404."""
    obj = db.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def scope_choices(db: Session) -> list[SelectChoice]:
    """Return choices "SITE_ID" (whole site) and "SITE_ID:SERVICE_ID" for scope pickers."""
    choices = []
    for site in db.scalars(select(Site).order_by(Site.name)):
        whole = _("%(site)s — tous les services", site=site.name)
        choices.append(SelectChoice(str(site.id), whole, optgroup=site.name))
        for service in site.services:
            label = f"{site.name} — {service.name}"
            choices.append(SelectChoice(f"{site.id}:{service.id}", label, optgroup=site.name))
    return choices


def parse_scopes(values: list[str]) -> list[tuple[int, int | None]]:
    """Return (site id, service id or None) from scope-picker values; bad values dropped."""
    scopes = []
    for value in values or []:
        site, _sep, service = value.partition(":")
        try:
            scopes.append((int(site), int(service) if service else None))
        except ValueError:
            continue
    return scopes


def scope_values(scopes) -> list[str]:
    """Return the scope-picker values of existing scope rows."""
    return [
        f"{s.site_id}:{s.service_id}" if s.service_id is not None else str(s.site_id)
        for s in scopes
    ]


def service_choices(db: Session, active_only: bool = True) -> list[SelectChoice]:
    """Return (service id, "Site — Service") for service pickers."""
    query = select(Service).join(Site).order_by(Site.name, Service.name)
    if active_only:
        query = query.where(Service.active.is_(True), Site.active.is_(True))
    return [SelectChoice(s.id, f"{s.site.name} — {s.name}") for s in db.scalars(query)]


def ui_language() -> str:
    """Return the language of the page being made (``fr`` or ``en``)."""
    from flask import g
    from flask_babel import get_locale

    get_locale()  # runs the locale selector, which sets g.lang
    return getattr(g, "lang", None) or "fr"


# Day-to-day dates in tables: French readers write 22/03/2027; "3/22/27", the English
# short form, is ambiguous beside it, so English pages spell the month (22 Mar 2027).
DATE_PATTERNS = {"fr": "dd/MM/y", "en": "d MMM y"}
TIME_PATTERN = "HH:mm"


@bp.app_template_filter("bo_date")
def bo_date(value) -> str:
    """Format a date the reader's way (22/03/2027, or 22 Mar 2027 in English)."""
    from flask_babel import format_date

    if not value:
        return "—"
    return format_date(value, DATE_PATTERNS.get(ui_language(), DATE_PATTERNS["fr"]))


@bp.app_template_filter("bo_datetime")
def bo_datetime(value) -> str:
    """Format an aware datetime in the préfectures' time zone, the reader's way."""
    from babel.dates import format_datetime
    from flask_babel import get_locale

    if not value:
        return "—"
    pattern = DATE_PATTERNS.get(ui_language(), DATE_PATTERNS["fr"]) + " " + TIME_PATTERN
    return format_datetime(value, pattern, tzinfo=PARIS, locale=get_locale())


@bp.app_template_filter("bo_number")
def bo_number(value, digits: int = 1) -> str:
    """Format a number with the reader's decimal mark (2,3 or 2.3)."""
    from flask_babel import format_decimal

    if value is None:
        return "—"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits)


@bp.app_template_filter("bo_percent")
def bo_percent(value, digits: int = 1) -> str:
    """Format a fraction as a percentage the reader's way (73,6 % or 73.6%)."""
    from babel import Locale
    from flask_babel import format_percent, get_locale

    if value is None:
        return "—"
    # The locale's own pattern (French puts a space before %), with the decimals wanted.
    pattern = Locale.parse(get_locale()).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return format_percent(value, format=pattern)
