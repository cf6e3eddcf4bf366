"""The tablet in kiosk mode: enrolment, the survey loop, offline queue (``/kiosk``)."""

from flask import Blueprint

bp = Blueprint("tablet", __name__, url_prefix="/kiosk")

from . import reclamations, routes  # noqa: E402, F401
