"""Back office: typing in what arrives otherwise than on a screen (urne cards, courrier,
courriel, telephone) with its date of receipt — a keyboard-only form that keeps the
channel, date and place from one card to the next — and the réclamation indicators."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from analysis.reclamations import reclamation_indicator_details
from surveys import DomainError, audit
from surveys.calendar import local_today
from surveys.models import ReclamationCategory, Site
from surveys.reclamation_queries import LATE_ENTRY_DAYS, late_reply_entries
from surveys.reclamations import OFFICE_CHANNELS, NewReclamation, create_reclamation
from surveys.users import can_see, user_scope

from ..auth.access import role_required
from ..db import get_read_session, get_session
from ..mail import queue_acknowledgement
from ..params import day_arg
from ..reclamation_forms import ERRORS, GENERIC_ERROR, CsrfOnlyForm, reply_days
from . import bp
from .admin_common import STAFF, error_text, site_visible, ui_language
from .indicator_entry import register_rows

ENTRY_FIELDS = (
    "channel",
    "received_on",
    "place",
    "kind",
    "category",
    "text",
    "reply_wanted",
    "contact_name",
    "contact_email",
    "contact_address",
)
# Kept from one card to the next: never personal data. A pile is often of one kind (the
# urne's suggestions, the week's letters of réclamation): its type stays too.
STICKY = ("channel", "received_on", "place", "kind")


def _places(db) -> list[tuple[str, str]]:
    """(value ``site/service``, label) of the services the user may type in for."""
    places = []
    for site in db.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.name)):
        if can_see(current_user, site.id, None):
            places.append((f"{site.code}/", site.name))
        for service in site.services:
            if service.active and can_see(current_user, site.id, service.id):
                places.append((f"{site.code}/{service.code}", f"{site.name} — {service.name}"))
    return places


def _entry_errors(failure: DomainError) -> dict[str, str]:
    field = {"service": "place", "site": "place"}.get(failure.field, failure.field)
    if field not in ENTRY_FIELDS:
        field = "form"
    if failure.field in ("received_on", "channel"):  # the entry's own fields
        return {field: error_text(failure)}
    return {field: str(ERRORS.get((failure.field, failure.code), GENERIC_ERROR))}


def _submission(form) -> NewReclamation:
    try:
        received_on = date.fromisoformat(form.get("received_on", ""))
    except ValueError:
        raise DomainError("Date de réception manquante.", "received_on", "required") from None
    channel = form.get("channel", "")
    if channel not in OFFICE_CHANNELS:
        raise DomainError("unknown channel", "channel", "unknown")
    site_code, _sep, service_code = form.get("place", "").partition("/")
    return NewReclamation(
        kind=form.get("kind", ""),
        channel=channel,
        category=form.get("category", ""),
        site=site_code,
        service=service_code or None,
        text=form.get("text", ""),
        received_on=received_on,
        reply_wanted=form.get("reply_wanted") == "yes",
        contact_name=form.get("contact_name"),
        contact_email=form.get("contact_email"),
        contact_address=form.get("contact_address"),
    )


@bp.route("/reclamations/saisie", methods=["GET", "POST"])
@role_required(*STAFF)
def entry():
    db = get_session()
    form = CsrfOnlyForm()
    places = _places(get_read_session())
    errors: dict[str, str] = {}
    defaults = session.get("reclamation_entry", {})
    values = {"received_on": local_today().isoformat(), **defaults}
    status = 200
    if request.method == "POST":
        values = request.form
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer le formulaire.")
        elif request.form.get("place") not in {value for value, _label in places}:
            errors["place"] = _("Choisissez le lieu concerné.")
        else:
            try:
                rec, _created = create_reclamation(
                    db,
                    _submission(request.form),
                    user_id=current_user.id,
                    reply_days=reply_days(),
                )
                queue_acknowledgement(db, rec)
            except DomainError as failure:
                db.rollback()
                errors = _entry_errors(failure)
            else:
                audit.record(db, current_user, "reclamation.entry", "reclamation", rec.reference)
                db.commit()
                session["reclamation_entry"] = {k: request.form.get(k, "") for k in STICKY}
                flash(
                    _("Enregistrée sous la référence %(reference)s.", reference=rec.reference),
                    "success",
                )
                return redirect(url_for("backoffice.entry"), code=303)
        status = 400
    categories = (
        get_read_session()
        .scalars(
            select(ReclamationCategory)
            .where(ReclamationCategory.active.is_(True))
            .order_by(ReclamationCategory.position)
        )
        .all()
    )
    return render_template(
        "backoffice/reclamations/entry.html",
        form=form,
        values=values,
        errors=errors,
        places=places,
        categories=categories,
        channels=OFFICE_CHANNELS,
    ), status


def _period() -> tuple[date, date]:
    today = local_today()
    date_from = day_arg("from") or date(today.year, 1, 1)
    date_to = day_arg("to") or today
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    return date_from, date_to


@bp.get("/indicateurs")
@role_required("admin", "quality", "agent", "viewer")
def indicators():
    db = get_read_session()
    date_from, date_to = _period()
    site_code = request.args.get("site") or None
    rows = reclamation_indicator_details(
        db,
        date_from,
        date_to,
        [site_code] if site_code else None,
        local_today(),
        scope=user_scope(current_user),
    )
    names = dict(db.execute(select(Site.code, Site.name)).all())
    from analysis.i18n import Formatter

    language = ui_language()
    labels = {c.code: c.label(language) for c in db.scalars(select(ReclamationCategory))}
    visible = [
        code for code, site_id in db.execute(select(Site.code, Site.id)) if site_visible(site_id)
    ]
    return render_template(
        "backoffice/reclamations/indicators.html",
        fmt=Formatter(language),
        late_entries=late_reply_entries(db, current_user, date_from, date_to),
        late_days=LATE_ENTRY_DAYS,
        rows=rows,
        names=names,
        category_labels=labels,
        date_from=date_from,
        date_to=date_to,
        site_code=site_code,
        register=register_rows(db, date_from, date_to, [site_code] if site_code else visible),
        all_sites=[
            (site.code, site.name)
            for site in db.scalars(select(Site).order_by(Site.name))
            if site_visible(site.id)
        ],
    )
