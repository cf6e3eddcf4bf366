"""Back office: typing in a pile of paper questionnaires from the keyboard alone.

The agent chooses the service, the date and the language of the pile once; then each form's
stars (digits 1–5, 0 to skip a question) and comment, Enter storing it and opening the next.
Like the urne and courrier entry (``reclamation_entry``), what is kept from one form to the
next is the pile's place and date, never what an usager wrote. Each page carries the
``response_id`` of its form, so a page sent twice stores the form once.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from surveys import DomainError, audit
from surveys.bounds import check_day, parse_int
from surveys.calendar import local_today
from surveys.languages import USAGER_LANGUAGES
from surveys.models import Service, Site, utcnow
from surveys.paper import PaperForm, paper_questionnaire, store_paper_form
from surveys.users import can_see

from ..auth.access import role_required
from ..db import get_read_session, get_session
from ..reclamation_forms import CsrfOnlyForm
from . import bp
from .admin_common import STAFF, error_text

PILE = "paper_pile"


def _services(db) -> list[Service]:
    """The services in use that the current user may type forms in for."""
    return [
        service
        for service in db.scalars(
            select(Service)
            .join(Site)
            .where(Site.active.is_(True), Service.active.is_(True))
            .order_by(Site.name, Service.name)
        )
        if can_see(current_user, service.site_id, service.id)
    ]


def _pile(services: list[Service]) -> tuple[Service, date, str] | None:
    """The pile chosen in this session, if it is still one the user may type in."""
    pile = session.get(PILE) or {}
    service = next((s for s in services if s.id == pile.get("service_id")), None)
    try:
        filled_on = date.fromisoformat(pile.get("filled_on", ""))
    except (TypeError, ValueError):
        return None
    if service is None or filled_on > local_today():
        return None
    return service, filled_on, pile.get("language", "fr")


def _choose_pile(services: list[Service]) -> dict[str, str]:
    """Keep the pile of the submitted form in the session; return the errors."""
    errors = {}
    try:
        service_id = parse_int(request.form.get("service", ""), "service")
    except DomainError:
        service_id = None
    if service_id not in {s.id for s in services}:
        errors["service"] = _("Choisissez le service.")
    try:
        filled_on = date.fromisoformat(request.form.get("filled_on", "").strip())
        if filled_on <= local_today():
            check_day(filled_on, "filled_on")  # within the days a report counts from
    except (ValueError, DomainError):
        errors["filled_on"] = _("Indiquez la date des questionnaires.")
    else:
        if filled_on > local_today():
            errors["filled_on"] = _("La date ne peut pas être après aujourd'hui.")
    language = request.form.get("language", "fr")
    if language not in USAGER_LANGUAGES:
        language = "fr"
    if not errors:
        session[PILE] = {
            "service_id": service_id,
            "filled_on": filled_on.isoformat(),
            "language": language,
            "count": 0,
        }
    return errors


def _ratings(questionnaire) -> tuple[dict[str, int], dict[str, str]]:
    ratings, errors = {}, {}
    for item in questionnaire.items:
        code = item.criterion.code
        raw = request.form.get(f"rating_{code}", "")
        if raw == "":
            continue
        if raw not in ("1", "2", "3", "4", "5"):
            errors[f"rating_{code}"] = _("Une note va de 1 à 5.")
        else:
            ratings[code] = int(raw)
    return ratings, errors


def _store(db, service: Service, filled_on: date, language: str, questionnaire):
    """Store the submitted form; return (stored: bool | None, errors)."""
    ratings, errors = _ratings(questionnaire)
    if errors:
        return None, errors
    form = PaperForm(
        response_id=request.form.get("response_id", ""),
        service_id=service.id,
        filled_on=filled_on,
        ratings=ratings,
        comment=request.form.get("comment"),
        language=language,
    )
    try:
        stored = store_paper_form(db, form, utcnow())
    except DomainError as failure:
        db.rollback()
        field = failure.field if failure.field in ("comment",) else "form"
        return None, {field: error_text(failure)}
    if stored:
        audit.record(db, current_user, "response.paper_entry", "response", form.response_id)
    db.commit()
    return stored, {}


@bp.route("/questionnaires/saisie", methods=["GET", "POST"])
@role_required(*STAFF)
def paper_entry():
    db = get_session()
    read = get_read_session()
    form = CsrfOnlyForm()
    services = _services(read)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer le formulaire.")
        elif request.form.get("action") == "pile":
            errors = _choose_pile(services)
            if not errors:
                return redirect(url_for("backoffice.paper_entry"), code=303)
        elif (pile := _pile(services)) is not None:
            service, filled_on, language = pile
            questionnaire = paper_questionnaire(db, service, filled_on)
            stored, errors = _store(db, service, filled_on, language, questionnaire)
            if not errors:
                state = dict(session[PILE])
                if stored:
                    state["count"] = state.get("count", 0) + 1
                    session[PILE] = state
                    flash(_("Questionnaire n° %(n)s enregistré.", n=state["count"]), "success")
                else:
                    flash(_("Ce questionnaire était déjà enregistré."), "info")
                return redirect(url_for("backoffice.paper_entry"), code=303)
        status = 400
    pile = None if request.args.get("pile") == "change" else _pile(services)
    if pile is None:
        chosen = session.get(PILE) or {}
        return render_template(
            "backoffice/paper_pile.html",
            form=form,
            errors=errors,
            services=services,
            values=request.form if request.method == "POST" else chosen,
            today=local_today(),
            languages=USAGER_LANGUAGES,
        ), status
    service, filled_on, language = pile
    questionnaire = paper_questionnaire(read, service, filled_on)
    return render_template(
        "backoffice/paper_entry.html",
        form=form,
        errors=errors,
        service=service,
        filled_on=filled_on,
        language=USAGER_LANGUAGES[language][0],
        count=session[PILE].get("count", 0),
        criteria=[item.criterion for item in questionnaire.items if item.criterion.active],
        values=request.form if request.method == "POST" else {},
        response_id=request.form.get("response_id") if errors else str(uuid.uuid4()),
    ), status
