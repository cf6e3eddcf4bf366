"""The usager's suggestion / réclamation form, shared by the tablet and the public pages.

The view decides where the form is (site and service preset or chosen, channel) and this
module shows it, reads it, hands it to ``surveys.reclamations`` and shows the reference.
Contact details are never logged: only the refusal's field and code are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from flask import current_app, g, redirect, render_template, request
from flask import session as browser_session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from limits import parse as parse_limit
from sqlalchemy import select

from surveys import DomainError
from surveys.fields import canonical_uuid
from surveys.models import Service, Site
from surveys.reclamations import (
    MAX_TEXT,
    NewReclamation,
    active_categories,
    create_reclamation,
    parse_reply_days,
)

from . import ratelimit
from .db import get_read_session, get_session
from .mail import queue_acknowledgement

# Messages stored per minute from one address by the phone and web form (a tablet has its
# device instead). Only what is stored counts: a usager correcting the form is never
# limited, and many phones share one address on a guest Wi-Fi or a mobile network.
STORED_PER_ADDRESS = parse_limit("10 per minute")
TOO_MANY = _l(
    "Beaucoup de messages viennent d'être envoyés depuis cette connexion. Patientez une "
    "minute puis envoyez à nouveau : votre message est conservé ci-dessous."
)

KIND_LABELS = {
    "suggestion": _l("Une suggestion"),
    "reclamation": _l("Une réclamation"),
    "remerciement": _l("Un remerciement"),
}

# The categories of a fresh database, for languages their stored labels lack (the labels
# are data a quality mission may change; these keep the usager form in every language).
CATEGORY_LABELS = {
    "waiting_time": _l("Délai d'instruction d'un dossier"),
    "appointment": _l("Prise de rendez-vous"),
    "reception": _l("Accueil et courtoisie"),
    "information": _l("Information et signalétique"),
    "premises": _l("Locaux"),
    "telephone": _l("Accueil téléphonique"),
    "website": _l("Site internet"),
    "other": _l("Autre"),
}


def category_label(category, language: str) -> str:
    """Return the category's label in ``language``: stored, else translated, else French."""
    if category.labels.get(language):
        return category.labels[language]
    if category.code in CATEGORY_LABELS and language != "fr":
        return str(CATEGORY_LABELS[category.code])
    return category.label("fr")


# (field, code) of a DomainError -> what the usager reads next to that field.
ERRORS = {
    ("text", "required"): _l("Écrivez votre message."),
    ("text", "too_long"): _l("Votre message dépasse 5 000 caractères. Raccourcissez-le."),
    ("kind", "unknown"): _l("Choisissez le type de message."),
    ("category", "unknown"): _l("Choisissez un sujet dans la liste."),
    ("site", "unknown"): _l("Choisissez le lieu concerné."),
    ("service", "unknown"): _l("Choisissez le lieu concerné."),
    ("reply_wanted", "contact_without_reply"): _l(
        "Vous avez indiqué des coordonnées sans demander de réponse. Cochez « Je souhaite une "
        "réponse » ou effacez vos coordonnées."
    ),
    ("contact_email", "contact_required"): _l(
        "Pour recevoir une réponse, indiquez une adresse électronique ou une adresse postale."
    ),
    ("contact_email", "email"): _l("Cette adresse électronique n'est pas valide."),
    ("contact_email", "line_break"): _l("Cette adresse électronique n'est pas valide."),
    ("contact_email", "too_long"): _l("Cette adresse électronique n'est pas valide."),
    ("contact_name", "line_break"): _l("Votre nom doit tenir sur une ligne."),
    ("contact_name", "too_long"): _l("Votre nom est trop long."),
    ("contact_address", "too_long"): _l("Votre adresse est trop longue."),
}
FORM_FIELDS = (
    "kind",
    "category",
    "site",
    "text",
    "reply_wanted",
    "contact_name",
    "contact_email",
    "contact_address",
)
GENERIC_ERROR = _l("Votre message n'a pas pu être enregistré. Vérifiez le formulaire.")
EXPIRED = _l("La page a expiré. Merci de renvoyer votre message.")


class CsrfOnlyForm(FlaskForm):
    """The fields are read by hand (for precise accessible errors); this form checks CSRF."""


@dataclass
class Placement:
    """Where the form is shown: a fixed service (tablet, poster) or a choice of sites."""

    channel: str
    action: str
    template: str
    service: Service | None = None
    home_url: str | None = None


def _choices() -> list[Site]:
    query = select(Site).where(Site.active.is_(True)).order_by(Site.name)
    return list(get_read_session().scalars(query))


def _client_id(value: str | None) -> str:
    return canonical_uuid(value) or str(uuid.uuid4())


def _submission(placement: Placement, language: str) -> NewReclamation:
    form = request.form
    if placement.service is not None:
        site_code, service_code = placement.service.site.code, placement.service.code
    else:
        site_code, _, service_code = form.get("place", "").partition("/")
    return NewReclamation(
        kind=form.get("kind", ""),
        channel=placement.channel,
        category=form.get("category", ""),
        site=site_code,
        service=service_code or None,
        text=form.get("text", ""),
        language=language,
        reply_wanted=form.get("reply_wanted") == "yes",
        contact_name=form.get("contact_name"),
        contact_email=form.get("contact_email"),
        contact_address=form.get("contact_address"),
        client_id=_client_id(form.get("client_id")),
    )


def _missing(placement: Placement) -> dict[str, str]:
    """Every empty required field at once (the domain stops at the first fault)."""
    form = request.form
    missing = {}
    if placement.service is None and not form.get("place"):
        missing["site"] = str(ERRORS[("site", "unknown")])
    if not form.get("category"):
        missing["category"] = str(ERRORS[("category", "unknown")])
    if not form.get("text", "").strip():
        missing["text"] = str(ERRORS[("text", "required")])
    return missing


def reply_days() -> dict[str, int] | None:
    """Return the reply days per channel configured by ``AVIS_REPLY_DAYS`` (or None)."""
    return parse_reply_days(current_app.config.get("AVIS_REPLY_DAYS"))


def _address_limited(placement: Placement) -> bool:
    """Whether this address has stored as many messages as it may this minute."""
    if placement.channel == "kiosk" or not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    key = request.remote_addr or "unknown"
    return not ratelimit.allowed(STORED_PER_ADDRESS, "reclamation-form", key)


def _count_stored(placement: Placement) -> None:
    if placement.channel != "kiosk" and current_app.config.get("RATELIMIT_ENABLED", True):
        ratelimit.hit(STORED_PER_ADDRESS, "reclamation-form", request.remote_addr or "unknown")


# The confirmation of a message just stored, kept in the browser's session for the page
# the POST redirects to (post/redirect/get): Back then leads to the form, never to a
# "resend the form?" page, and a reload of the confirmation shows an empty form.
SENT = "reclamation_sent"


def _confirmation(placement: Placement):
    sent = browser_session.pop(SENT, None)
    if not isinstance(sent, dict) or not isinstance(sent.get("reference"), str):
        return None
    due_on = sent.get("due_on")
    return render_template(
        "reclamations/confirmation.html",
        placement=placement,
        reference=sent["reference"],
        due_on=date.fromisoformat(due_on) if isinstance(due_on, str) else None,
        email_sent=bool(sent.get("email_sent")),
    ), 200


def _refusal(failure: DomainError) -> dict[str, str]:
    """Return the usager's words for a refusal of the domain, beside the field it names."""
    current_app.logger.info("reclamation refused: field=%s code=%s", failure.field, failure.code)
    field = {"service": "site"}.get(failure.field, failure.field)
    if field not in FORM_FIELDS:
        field = "form"
    return {field: str(ERRORS.get((failure.field, failure.code), GENERIC_ERROR))}


def _submit(form: CsrfOnlyForm, placement: Placement, language: str):
    """Store the posted message: return (the redirect to the page of its reference, {},
    303), or (None, the errors to show, 400 or 429)."""
    if not form.validate_on_submit():
        return None, {"form": str(EXPIRED)}, 400
    if missing := _missing(placement):
        return None, missing, 400
    if _address_limited(placement):
        # Refused, but the page comes back with everything the usager typed.
        return None, {"form": str(TOO_MANY)}, 429
    session = get_session()
    try:
        rec, created = create_reclamation(
            session, _submission(placement, language), reply_days=reply_days()
        )
        queue_acknowledgement(session, rec)
    except DomainError as failure:
        session.rollback()
        return None, _refusal(failure), 400
    session.commit()
    if created:  # a resend of the same message is not another one
        _count_stored(placement)
    current_app.logger.info("reclamation received: %s", rec.reference)
    browser_session[SENT] = {
        "reference": rec.reference,
        "due_on": rec.due_on.isoformat() if rec.due_on else None,
        "email_sent": bool(rec.contact_email),
    }
    joiner = "&" if "?" in placement.action else "?"
    target = placement.action + joiner + urlencode({"envoye": 1, "lang": language})
    return redirect(target, code=303), {}, 303


def show_or_store(placement: Placement, language: str):
    """Show the form (GET) or store the message (POST, then a redirect to the page that
    shows its reference)."""
    if placement.service is not None:
        g.marque_site = placement.service.site  # the bloc marque names its préfecture
    if request.method == "GET" and request.args.get("envoye") == "1":
        shown = _confirmation(placement)
        if shown is not None:
            return shown
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        stored, errors, status = _submit(form, placement, language)
        if stored is not None:
            return stored, status
    return render_template(
        placement.template,
        placement=placement,
        form=form,
        errors=errors,
        values=request.form if request.method == "POST" else {},
        categories=[
            (c.code, category_label(c, language)) for c in active_categories(get_read_session())
        ],
        kinds=KIND_LABELS,
        sites=_choices() if placement.service is None else [],
        client_id=_client_id(request.form.get("client_id")),
        max_text=MAX_TEXT,
        retention_years=max(1, round(current_app.config["AVIS_RETENTION_DAYS"] / 365)),
        dpo_contact=current_app.config["AVIS_DPO_CONTACT"],
    ), status
