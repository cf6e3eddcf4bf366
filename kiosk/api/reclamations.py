"""``POST /api/v1/reclamations``: a suggestion, réclamation or remerciement from a tablet,
a phone or the web, with the credentials and idempotency rules of responses: the client
makes the ``reclamation_id`` (a UUID), so a retry is stored once (201, then 200; 409 when
the same id comes back with another content). The answer carries the reference."""

from __future__ import annotations

from flask import current_app, jsonify, request
from limits import parse as parse_limit

from surveys import DomainError
from surveys.languages import USAGER_LANGUAGES
from surveys.models import RECLAMATION_KINDS, SUBMITTED_CHANNELS
from surveys.reclamations import (
    MAX_ADDRESS,
    MAX_EMAIL,
    MAX_NAME,
    MAX_TEXT,
    bind_to_tablet,
    create_reclamation,
    parse_reclamation_payload,
)

from ..auth.access import public_endpoint
from ..db import get_session
from ..extensions import limiter
from ..mail import queue_acknowledgement
from ..reclamation_forms import reply_days
from . import bp
from .errors import domain_error, error
from .openapi import add_path, add_schema
from .responses import address_limit, channel_credential

# Anonymous (web, QR) réclamations per address; tablets have their own limits.
ADDRESS_LIMIT = parse_limit("20 per minute")


@bp.post("/reclamations")
@public_endpoint
@limiter.exempt
def create_reclamation_api():
    payload = request.get_json(silent=True)
    refusal = address_limit(ADDRESS_LIMIT, "api-reclamations", payload, fresh_credential=True)
    if refusal is not None:
        return refusal
    if payload is None:
        return error(400, "invalid", "The body must be JSON (application/json).", "body")
    session = get_session()
    try:
        new = parse_reclamation_payload(payload)
        tablet, refusal = channel_credential(new.channel, payload, new.site, new.service)
        if refusal is not None:
            return refusal
        if tablet is not None:
            bind_to_tablet(new, tablet.site.code, tablet.service.code)
        rec, created = create_reclamation(session, new, reply_days=reply_days())
        if created:
            queue_acknowledgement(session, rec)
    except DomainError as failure:
        session.rollback()
        current_app.logger.info(
            "reclamation refused: field=%s code=%s", failure.field, failure.code
        )
        return domain_error(failure)
    session.commit()
    if created:
        current_app.logger.info("reclamation received: %s", rec.reference)
    body = {
        "reclamation_id": rec.client_id,
        "reference": rec.reference,
        "status": "created" if created else "exists",
        "due_on": rec.due_on.isoformat() if rec.due_on else None,
    }
    return jsonify(body), 201 if created else 200


add_schema(
    "ReclamationSubmission",
    {
        "type": "object",
        "required": ["reclamation_id", "site", "channel", "kind", "category", "text"],
        "properties": {
            "reclamation_id": {"type": "string", "format": "uuid"},
            "site": {"type": "string", "minLength": 1, "maxLength": 64},
            "service": {"type": ["string", "null"], "maxLength": 64},
            "channel": {"type": "string", "enum": list(SUBMITTED_CHANNELS)},
            "language": {
                "type": "string",
                "enum": list(USAGER_LANGUAGES),
                "default": "fr",
            },
            "kind": {"type": "string", "enum": list(RECLAMATION_KINDS)},
            "category": {
                "type": "string",
                "description": "A category code: waiting_time, appointment, reception, "
                "information, premises, telephone, website, other (or one a quality mission "
                "added).",
            },
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TEXT,
                "description": "Counted in characters.",
            },
            "reply_wanted": {"type": "boolean", "default": False},
            "contact_name": {"type": ["string", "null"], "maxLength": MAX_NAME},
            "contact_email": {
                "type": ["string", "null"],
                "format": "email",
                "maxLength": MAX_EMAIL,
            },
            "contact_address": {"type": ["string", "null"], "maxLength": MAX_ADDRESS},
            "token": {"type": "string", "description": "channel qr: the QR link's token."},
        },
        "description": "Contact details only with reply_wanted true (refused otherwise); "
        "with it, an email or a postal address is required.",
    },
)
add_schema(
    "ReclamationStored",
    {
        "type": "object",
        "required": ["reclamation_id", "reference", "status"],
        "properties": {
            "reclamation_id": {"type": "string", "format": "uuid"},
            "reference": {"type": "string", "pattern": "^[0-9AB]{2,3}-[0-9]{4}-[0-9]{6}$"},
            "status": {"type": "string", "enum": ["created", "exists"]},
            "due_on": {"type": ["string", "null"], "format": "date"},
        },
    },
)
_error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_stored = {"application/json": {"schema": {"$ref": "#/components/schemas/ReclamationStored"}}}
add_path(
    "/reclamations",
    {
        "post": {
            "summary": "Store a suggestion, réclamation or remerciement (idempotent on "
            "reclamation_id); the answer carries its reference",
            "description": "Credentials as for responses: kiosk needs the tablet's token, qr "
            "the signed token of its link, web none (rate-limited per address). When an "
            "email is given, an acknowledgement with the reference is sent.",
            "security": [{"tabletToken": []}, {}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ReclamationSubmission"}
                    }
                },
            },
            "responses": {
                "201": {"description": "Stored.", "content": _stored},
                "200": {"description": "Already stored, same content.", "content": _stored},
                "400": {"description": "Invalid field (named in `field`).", "content": _error},
                "401": {"description": "Kiosk without a valid tablet token.", "content": _error},
                "403": {
                    "description": "Credential for another site or service.",
                    "content": _error,
                },
                "409": {
                    "description": "This reclamation_id is stored with other content.",
                    "content": _error,
                },
                "413": {"description": "Body too large.", "content": _error},
                "422": {
                    "description": "Unknown site, service, category or language.",
                    "content": _error,
                },
                "429": {"description": "Rate limit.", "content": _error},
            },
        }
    },
)
