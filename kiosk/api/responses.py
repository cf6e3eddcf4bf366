"""``POST /api/v1/responses``: one usager's response from a tablet, a phone or the web.

Credentials by channel: ``kiosk`` needs the tablet's device token (``Authorization:
Bearer`` or the kiosk's HttpOnly cookie); ``qr`` needs the signed token of the QR link
in the body (``token``), naming the same site and service; ``web`` needs none (the
generic page on the préfecture's website), and is limited per address instead.
"""

from __future__ import annotations

import time

from flask import current_app, jsonify, request
from limits import RateLimitItem
from limits import parse as parse_limit

from surveys import DomainError
from surveys.languages import USAGER_LANGUAGES
from surveys.models import SUBMITTED_CHANNELS
from surveys.responses import (
    CLOCK_SKEW,
    COMMENT_MAX,
    OFFLINE_WINDOW,
    Outcome,
    TabletLimits,
    parse_submission,
    store_submission,
)
from surveys.tablets import token_hash
from surveys.write_transaction import WriteTransaction

from .. import ratelimit
from ..auth.access import public_endpoint
from ..db import engine, read_session_factory
from ..extensions import limiter
from ..public.tokens import InvalidSurveyToken, read_survey_token
from ..tablet.device import current_tablet, device_token, holds_tablet_credential, note_seen
from . import bp
from .errors import domain_error, error
from .openapi import SPEC, add_path, add_schema


def address_limit(
    limit: RateLimitItem, scope: str, payload: object, *, fresh_credential: bool = False
):
    """Count this request against the per-address limit of anonymous (web, QR) posts.

    Return None when it may go on, else the API's JSON error 429 with ``Retry-After``.
    Only a ``kiosk`` submission carrying a valid tablet credential skips it: that tablet
    has its own limits (``TabletLimits``). Any other ``Authorization`` header, or a
    tablet's token on a ``web`` or ``qr`` submission, counts like any anonymous post. The
    counters are Flask-Limiter's storage (Redis when configured), so every app server
    shares them. ``fresh_credential``: read the tablets from the database, for a caller
    whose write does not reload them (see ``holds_tablet_credential``).
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    if (
        isinstance(payload, dict)
        and payload.get("channel") == "kiosk"
        and holds_tablet_credential(fresh=fresh_credential)
    ):
        return None
    key = request.remote_addr or "unknown"
    allowed, reset_at = ratelimit.hit(limit, scope, key)  # counted locally if Redis fails
    if allowed:
        return None
    response, status = error(
        429, "rate_limited", "Too many submissions from this address; try again later."
    )
    response.headers["Retry-After"] = str(max(1, int(reset_at - time.time()) + 1))
    return response, status


def channel_credential(channel: str, payload: dict, site: str, service: str | None):
    """Check the credential of a submission's channel (responses and réclamations alike).

    Return (the enrolled tablet for ``kiosk``, else None; None or the error response):
    ``kiosk`` needs a valid device token, ``qr`` the signed token of its poster naming the
    same site and service, ``web`` nothing (it is limited per address instead).
    ``POST /responses`` checks a tablet's credential in its writing transaction instead.
    """
    if channel == "kiosk":
        tablet = current_tablet()
        if tablet is None:
            return None, error(401, "unauthorized", "Unknown or revoked tablet.", "credential")
        return tablet, None
    if channel == "qr":
        token = payload.get("token")
        try:
            target = read_survey_token(token if isinstance(token, str) else "")
        except InvalidSurveyToken:
            return None, error(403, "forbidden", "The survey link token is invalid.", "token")
        if (target.site_code, target.service_code) != (site, service):
            return None, error(
                403, "forbidden", "The token is for another site or service.", "site"
            )
    return None, None


# Anonymous (web, QR) responses per address; tablets have their own per-device limits.
ADDRESS_LIMIT = parse_limit("60 per minute")


def _store(submission, token: str | None) -> Outcome:
    """Store one submission in a transaction of its own on the driver's connection,
    committed also when it is refused: what an enrolled tablet sent and the server refused
    is counted for the back office."""
    config = current_app.config
    with WriteTransaction.on_engine(engine(), read_session_factory()) as transaction:
        return store_submission(
            transaction,
            submission,
            token_hash=token_hash(token) if token else None,
            limits=TabletLimits(
                config["AVIS_TABLET_MIN_INTERVAL_SECONDS"], config["AVIS_TABLET_HOURLY_LIMIT"]
            ),
        )


@bp.post("/responses")
@public_endpoint
@limiter.exempt
def create_response():
    payload = request.get_json(silent=True)
    refusal = address_limit(ADDRESS_LIMIT, "api-responses", payload)
    if refusal is not None:
        return refusal
    if payload is None:
        return error(400, "invalid", "The body must be JSON (application/json).", "body")
    try:
        submission = parse_submission(payload)
        if submission.channel != "kiosk":
            _no_tablet, refusal = channel_credential(
                submission.channel, payload, submission.site, submission.service
            )
            if refusal is not None:
                return refusal
        # A tablet's credential is looked up when its response is written, in the same
        # transaction: a tablet revoked a moment before is refused (401).
        token = device_token() if submission.channel == "kiosk" else None
        if submission.channel == "kiosk" and (not token or len(token) > 200):
            return error(401, "unauthorized", "Unknown or revoked tablet.", "credential")
        outcome = _store(submission, token)
    except DomainError as failure:
        return domain_error(failure)
    if outcome.tablet_id is not None:
        note_seen(outcome.tablet_id)
    if outcome.status == "refused":
        # Decided and counted (the back office shows it): the tablet may let it go. A 429
        # would tell it to keep the response and try again later, which cannot help here.
        current_app.logger.info(
            "tablet %s: response refused (%s)", outcome.tablet_id, outcome.reason
        )
        return error(422, outcome.reason or "refused", "Refused by the tablet's hourly ceiling.")
    status = 201 if outcome.status == "created" else 200
    body = {"response_id": outcome.response_id, "status": outcome.status}
    if outcome.flag:
        body["flag"] = outcome.flag
    return jsonify(body), status


add_schema(
    "ResponseSubmission",
    {
        "type": "object",
        "required": ["response_id", "site", "service", "channel", "submitted_at", "ratings"],
        "properties": {
            "response_id": {"type": "string", "format": "uuid"},
            "site": {"type": "string", "minLength": 1, "maxLength": 64},
            "service": {"type": "string", "minLength": 1, "maxLength": 64},
            "channel": {"type": "string", "enum": list(SUBMITTED_CHANNELS)},
            "language": {
                "type": "string",
                "enum": list(USAGER_LANGUAGES),
                "default": "fr",
            },
            "submitted_at": {
                "type": "string",
                "format": "date-time",
                "description": "When the usager answered, with a time zone; at most "
                f"{CLOCK_SKEW.total_seconds() / 60:g} minutes ahead of the server and "
                f"{OFFLINE_WINDOW.days} days behind it.",
            },
            "ratings": {
                "type": "object",
                "minProperties": 1,
                "description": "Criterion code -> rating; only criteria of the questionnaire "
                "that applies to the site, service and date.",
                "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
            },
            "comment": {"type": ["string", "null"], "maxLength": COMMENT_MAX},
            "token": {
                "type": "string",
                "description": "channel qr: the signed token of the QR link (same site and "
                "service).",
            },
        },
    },
)
add_schema(
    "ResponseStored",
    {
        "type": "object",
        "required": ["response_id", "status"],
        "properties": {
            "response_id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["created", "exists"]},
            "flag": {
                "type": "string",
                "enum": ["min_interval"],
                "description": "Stored but left out of the rates: given within the tablet's "
                "minimum interval of another of its responses.",
            },
        },
    },
)
_error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
add_path(
    "/responses",
    {
        "post": {
            "summary": "Store one usager's response (idempotent on response_id)",
            "description": "A kiosk submission authenticates with the tablet's device token "
            "(Authorization: Bearer, or the kiosk cookie); a qr submission carries the "
            "signed token of its link in `token`; web needs none. A response is inserted "
            "once and never updated: the tablet sends it when the usager finishes or when "
            "it resets, whichever comes first.",
            "security": [{"tabletToken": []}, {}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ResponseSubmission"}
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Stored.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ResponseStored"}
                        }
                    },
                },
                "200": {
                    "description": "Already stored with the same content; nothing changed.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ResponseStored"}
                        }
                    },
                },
                "400": {"description": "Invalid field (named in `field`).", "content": _error},
                "401": {"description": "Kiosk without a valid tablet token.", "content": _error},
                "403": {"description": "Token for another site or service.", "content": _error},
                "409": {
                    "description": "This response_id is stored with other content.",
                    "content": _error,
                },
                "422": {
                    "description": "Unknown site, service or criterion, or past the tablet's "
                    "hourly ceiling (`hourly_limit`, counted); final, do not send it again.",
                    "content": _error,
                },
                "429": {
                    "description": "Too many submissions from this address now: keep the "
                    "response and send it again after `Retry-After`.",
                    "content": _error,
                },
            },
        }
    },
)
SPEC["components"]["securitySchemes"]["tabletToken"] = {"type": "http", "scheme": "bearer"}
