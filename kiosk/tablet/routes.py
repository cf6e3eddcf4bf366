"""The kiosk: enrolment of a tablet, the survey loop and its service worker.

The page is one document with three screens (welcome, details, thanks); the script
``kiosk.js`` holds the usager's answers in memory, sends them once (when the usager
finishes or when the tablet resets) through ``POST /api/v1/responses`` and queues them
in IndexedDB while the server cannot be reached.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _

from surveys.campaigns import questionnaire_and_campaign_for
from surveys.languages import USAGER_LANGUAGES
from surveys.tablets import EnrolmentError, enrol_tablet

from ..auth.access import public_endpoint
from ..db import get_session
from ..extensions import limiter
from . import bp
from .device import current_tablet, note_seen, set_device_cookie
from .forms import EnrolForm


def _kiosk_language() -> str:
    # A kiosk always starts in French; another language lasts until the next reset.
    lang = request.args.get("lang", "fr")
    return lang if lang in USAGER_LANGUAGES else "fr"


@bp.get("/")
@public_endpoint
def survey():
    g.lang = _kiosk_language()
    tablet = current_tablet()
    if tablet is None:
        return render_template("tablet/not_registered.html"), 403
    note_seen(tablet)
    g.marque_site = tablet.site
    questionnaire, _campaign = questionnaire_and_campaign_for(
        get_session(), tablet.site_id, tablet.service_id, datetime.now(UTC)
    )
    items = [item.criterion for item in questionnaire.items if item.criterion.active]
    config = current_app.config
    reclamation_url = (
        url_for("tablet.reclamation", lang=g.lang)
        if "tablet.reclamation" in current_app.view_functions
        else None
    )
    response = make_response(
        render_template(
            "tablet/survey.html",
            tablet=tablet,
            questionnaire=questionnaire,
            first=items[0] if items else None,
            criteria=items,
            reclamation_url=reclamation_url,
            timings={
                "idle": config["AVIS_KIOSK_IDLE_SECONDS"],
                "warning": config["AVIS_KIOSK_WARNING_SECONDS"],
                "thanks": config["AVIS_KIOSK_THANKS_SECONDS"],
                "one_tap": config["AVIS_KIOSK_ONE_TAP_SECONDS"],
                # The tablet's stars wait the server's minimum interval after a tap, so
                # its own flow never gives a response the server would mark.
                "lockout": config["AVIS_TABLET_MIN_INTERVAL_SECONDS"],
            },
        )
    )
    # The service worker keeps its own copy for offline use; browsers must not.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/enrol/<code>", methods=["GET", "POST"])
@public_endpoint
@limiter.limit("20 per minute")
def enrol(code: str):
    g.lang = "fr"
    form = EnrolForm()
    if request.method == "GET":
        return render_template("tablet/enrol.html", form=form, code=code)
    if not form.validate_on_submit():
        return render_template("tablet/enrol.html", form=form, code=code), 400
    session = get_session()
    try:
        tablet, token = enrol_tablet(session, code)
    except EnrolmentError:
        session.rollback()
        current_app.logger.warning("tablet enrolment refused: unknown, used or expired code")
        message = _("Ce code d'enregistrement est inconnu, déjà utilisé ou expiré.")
        return render_template("tablet/enrol.html", form=None, code=code, error=message), 400
    session.commit()
    current_app.logger.info("tablet %s enrolled", tablet.id)
    response = redirect(url_for("tablet.survey"))
    set_device_cookie(response, token)
    return response


@bp.get("/sw.js")
@public_endpoint
def service_worker():
    # Served from /kiosk/ so that its scope covers every kiosk page.
    response = send_from_directory(
        current_app.static_folder, "js/kiosk-sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/kiosk/"
    response.headers["Cache-Control"] = "no-cache"
    return response
