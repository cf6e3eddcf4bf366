"""The API's one error body, ``{"error": code, "message": ..., "field": ...}`` (the
``Error`` schema of the OpenAPI document), and the HTTP status of each domain error code."""

from __future__ import annotations

from flask import jsonify

from surveys import DomainError
from surveys.i18n import render

STATUS_BY_CODE = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "unknown": 422,
    "unknown_site": 422,
    "unknown_service": 422,
    "inactive": 422,
    "rate_limited": 429,
    "unavailable": 503,
}


def error(status: int, code: str, message: str, field: str | None = None):
    """A JSON error answer: ``code`` for programs, ``message`` for people, ``field`` when
    one field of the request is at fault."""
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    return jsonify(body), status


def domain_error(failure: DomainError):
    """The JSON answer to a refusal of the domain, its status read from its code (400 for a
    code without its own); a message of ``surveys.i18n`` in English, as the API's own."""
    message = str(render(failure.message, "en"))
    return error(STATUS_BY_CODE.get(failure.code, 400), failure.code, message, failure.field)
