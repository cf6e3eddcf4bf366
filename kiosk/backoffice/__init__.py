"""The back office (``/backoffice``): one module per area, all on one blueprint."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

from . import admin, dashboard, paper_entry, posters, privacy, reclamations, routes  # noqa: E402, F401
