"""The suggestion / réclamation form of a tablet (``/kiosk/reclamation``), about the
tablet's own site and service. Like the survey, it forgets everything between usagers:
nothing is cached, the page returns to the survey when left idle or after the reference
has been shown, and the browser's back button cannot bring the text back."""

from __future__ import annotations

from flask import g, render_template, request, url_for

from surveys.languages import USAGER_LANGUAGES

from ..auth.access import public_endpoint
from ..reclamation_forms import Placement, show_or_store
from . import bp
from .device import current_tablet


@bp.route("/reclamation", methods=["GET", "POST"])
@public_endpoint
def reclamation():
    lang = request.values.get("lang", "fr")
    g.lang = lang if lang in USAGER_LANGUAGES else "fr"
    tablet = current_tablet()
    if tablet is None:
        return render_template("tablet/not_registered.html"), 403
    placement = Placement(
        channel="kiosk",
        action=url_for("tablet.reclamation"),
        template="reclamations/tablet.html",
        service=tablet.service,
        home_url=url_for("tablet.survey"),
    )
    response, status = show_or_store(placement, g.lang)
    return response, status, {"Cache-Control": "no-store"}
