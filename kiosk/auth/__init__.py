"""Back-office login and logout; access rules shared by the back office and the API."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from . import routes, sessions  # noqa: E402, F401
