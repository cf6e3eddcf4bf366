"""The back office (``/backoffice``): one module per area, all on one blueprint."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

from . import (  # noqa: E402, F401
    admin,
    dashboard,
    paper_entry,
    posters,
    privacy,
    reclamation_entry,
    reclamations,
    routes,
)
