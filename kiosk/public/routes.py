"""The usager's pages away from a tablet: the survey opened from a QR code (channel
``qr``, ``/q/<token>``) and the generic survey of the préfecture's website (channel
``web``, ``/avis``). Both work without JavaScript; no page load ever stores anything."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from surveys import DomainError
from surveys.campaigns import questionnaire_and_campaign_for
from surveys.fields import canonical_uuid
from surveys.models import Service, Site
from surveys.responses import parse_submission, store_submission

from ..auth.access import public_endpoint
from ..db import get_read_session, get_session
from ..extensions import limiter
from . import bp
from .forms import SurveyForm, survey_payload
from .tokens import InvalidSurveyToken, make_survey_token, read_survey_token


@bp.get("/")
@public_endpoint
def index():
    return render_template("public/index.html")


def _lang() -> str:
    get_locale()  # runs the selector: explicit choice, session, then Accept-Language
    return g.lang


def _service_or_none(site_code: str, service_code: str) -> Service | None:
    if "\x00" in site_code + service_code:  # PostgreSQL refuses NUL even in a comparison
        return None
    service = get_session().scalars(Service.by_codes(site_code, service_code)).first()
    if service is None or not service.active or not service.site.active:
        return None
    return service


def _reclamation_url(token: str) -> str | None:
    if "public.reclamation" in current_app.view_functions:
        return url_for("public.reclamation", t=token)
    return None


# One usager's answers to one survey are one response however they navigate (Back, reload,
# a second tap, a resend after a network error): the browser's session keeps the id of
# the response it is answering, per survey, for this long after it was first shown.
RESPONSE_ID_SECONDS = 2 * 3600
RESPONSE_IDS = "survey_response_ids"


def _response_id(key: str) -> str:
    """Return the response id this browser answers survey ``key`` with, kept in its session
    (a hidden field alone is lost when the browser shows the form again on Back)."""
    now = int(time.time())
    kept = session.get(RESPONSE_IDS)
    kept = {
        k: v
        for k, v in (kept.items() if isinstance(kept, dict) else ())
        if isinstance(v, list) and len(v) == 2 and isinstance(v[1], int)
        and now - v[1] < RESPONSE_ID_SECONDS
    }  # fmt: skip
    if key in kept and canonical_uuid(kept[key][0]):
        response_id = kept[key][0]
    else:
        # Without a session (cookies refused) the posted id is all there is.
        posted = request.form.get("response_id") if request.method == "POST" else None
        response_id = canonical_uuid(posted) or str(uuid.uuid4())
        kept[key] = [response_id, now]
        # A few surveys at most: the oldest go first, the cookie stays small.
        kept = dict(sorted(kept.items(), key=lambda item: item[1][1])[-8:])
    session[RESPONSE_IDS] = kept
    return response_id


def _survey(service: Service, channel: str, token: str, action: str):
    """Show (GET) or store (POST) the survey of ``service``; the GET stores nothing."""
    lang = _lang()
    g.marque_site = service.site
    db = get_session()
    questionnaire, _campaign = questionnaire_and_campaign_for(
        db, service.site_id, service.id, datetime.now(UTC)
    )
    criteria = [item.criterion for item in questionnaire.items if item.criterion.active]
    form = SurveyForm()
    errors: dict[str, str] = {}
    status = 200
    response_id = _response_id(f"{channel}:{service.site.code}/{service.code}")
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer vos réponses.")
        else:
            payload = survey_payload(
                request.form,
                site=service.site.code,
                service=service.code,
                channel=channel,
                language=lang,
                codes=[c.code for c in criteria],
            )
            payload["response_id"] = response_id
            if not payload["ratings"]:
                errors["ratings"] = _("Choisissez au moins une note avant d'envoyer.")
            else:
                try:
                    store_submission(db, parse_submission(payload), stamped_on_receipt=True)
                except DomainError as failure:
                    db.rollback()
                    current_app.logger.info("survey refused: %s", failure.code)
                    if failure.code == "conflict":
                        # Sent again after a change (Back, edit, send): the first answers
                        # stay the usager's one response, and the page says so.
                        return redirect(
                            url_for("public.thanks", t=token, lang=lang, deja=1), code=303
                        )
                    if failure.field == "comment":
                        errors["comment"] = _("Votre commentaire est trop long.")
                    else:
                        errors["form"] = _("Votre réponse n'a pas pu être enregistrée.")
                else:
                    db.commit()
                    return redirect(url_for("public.thanks", t=token, lang=lang), code=303)
        status = 400
    return render_template(
        "public/survey.html",
        form=form,
        service=service,
        questionnaire=questionnaire,
        criteria=criteria,
        response_id=response_id,
        action=action,
        errors=errors,
        values=request.form if request.method == "POST" else {},
        reclamation_url=_reclamation_url(token),
    ), status


@bp.route("/q/<token>", methods=["GET", "POST"])
@public_endpoint
@limiter.limit("30 per minute", methods=["POST"])
def qr_survey(token: str):
    try:
        target = read_survey_token(token)
    except InvalidSurveyToken:
        current_app.logger.info("survey link refused: invalid token")
        _lang()
        return render_template("public/invalid_link.html"), 404
    service = _service_or_none(target.site_code, target.service_code)
    if service is None:
        _lang()
        return render_template("public/invalid_link.html"), 404
    return _survey(service, "qr", token, url_for("public.qr_survey", token=token))


@bp.get("/merci")
@public_endpoint
def thanks():
    _lang()
    token = request.args.get("t", "")
    try:
        read_survey_token(token)
    except InvalidSurveyToken:
        token = ""
    return render_template(
        "public/thanks.html",
        reclamation_url=token and _reclamation_url(token),
        already=request.args.get("deja") == "1",
    )


@bp.get("/avis")
@public_endpoint
def choose_service():
    _lang()
    sites = (
        get_read_session()
        .scalars(select(Site).where(Site.active.is_(True)).order_by(Site.name))
        .all()
    )
    chosen = request.args.get("service", "")
    if "/" in chosen:
        site_code, service_code = chosen.split("/", 1)
        if _service_or_none(site_code, service_code) is not None:
            return redirect(
                url_for("public.web_survey", site=site_code, service=service_code, lang=g.lang)
            )
    # Sent without a choice: the page says so in its own language (not the browser's bubble).
    error = (
        _("Choisissez le lieu et le service de votre visite.")
        if "service" in request.args
        else None
    )
    return render_template("public/choose.html", sites=sites, chosen=chosen, error=error), (
        400 if error else 200
    )


@bp.route("/avis/<site>/<service>", methods=["GET", "POST"])
@public_endpoint
@limiter.limit("30 per minute", methods=["POST"])
def web_survey(site: str, service: str):
    found = _service_or_none(site, service)
    if found is None:
        _lang()
        return render_template("public/invalid_link.html"), 404
    token = make_survey_token(site, service)
    return _survey(found, "web", token, url_for("public.web_survey", site=site, service=service))
