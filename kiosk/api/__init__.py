"""The JSON API under ``/api/v1``; its OpenAPI document is assembled from each module's part."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import openapi, reclamations, report, responses  # noqa: E402, F401
