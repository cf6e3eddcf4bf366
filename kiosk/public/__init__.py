"""The public pages: the survey opened from a QR code, the generic web survey, the forms."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import reclamations, routes  # noqa: E402, F401
