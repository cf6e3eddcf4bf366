"""The usager's suggestion / réclamation page away from a tablet (``/reclamation``).

Opened from a poster's link (``?t=<survey token>``) it is about that poster's site and
service and its channel is ``qr``; opened from the préfecture's website, the usager
chooses the place and the channel is ``web``."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import get_locale

from surveys.models import Service

from ..auth.access import public_endpoint
from ..db import get_session
from ..reclamation_forms import Placement, show_or_store
from . import bp
from .tokens import InvalidSurveyToken, read_survey_token


def _poster_service(site_code: str, service_code: str) -> Service | None:
    service = get_session().scalars(Service.by_codes(site_code, service_code)).first()
    if service is None or not service.active or not service.site.active:
        return None
    return service


@bp.route("/reclamation", methods=["GET", "POST"])
@public_endpoint
def reclamation():
    # Limited per address on what it stores only (kiosk.reclamation_forms).
    get_locale()  # runs the locale selector, which sets g.lang
    token = request.values.get("t", "")
    service = None
    if token:
        try:
            target = read_survey_token(token)
        except InvalidSurveyToken:
            current_app.logger.info("reclamation link refused: invalid token")
        else:
            service = _poster_service(target.site_code, target.service_code)
    action = url_for("public.reclamation", t=token) if service else url_for("public.reclamation")
    placement = Placement(
        channel="qr" if service else "web",
        action=action,
        template="reclamations/public.html",
        service=service,
        home_url=url_for("public.index"),
    )
    response, status = show_or_store(placement, g.lang)
    return response, status, {"Cache-Control": "no-store"}
