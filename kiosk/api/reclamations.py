"""``POST /api/v1/reclamations``: a suggestion, réclamation or remerciement from a tablet,
a phone or the web, with the credentials and idempotency rules of responses: the client
makes the ``reclamation_id`` (a UUID), so a retry is stored once (201, then 200; 409 when
the same id comes back with another content). The answer carries the reference."""

from __future__ import annotations

import uuid

from flask import current_app, jsonify, request
from limits import parse as parse_limit

from surveys import DomainError
from surveys.reclamations import NewReclamation, create_reclamation

from ..auth.access import public_endpoint
from ..db import get_session
from ..extensions import limiter
from ..mail import queue_acknowledgement
from ..reclamation_forms import reply_days
from . import bp
from .openapi import add_path, add_schema
from .responses import address_limit, channel_credential, error

API_CHANNELS = ("kiosk", "qr", "web")
STATUS_BY_CODE = {"conflict": 409, "unknown": 422}
_STRINGS = ("site", "service", "kind", "category", "text", "language", "channel")
_OPTIONAL = ("service", "contact_name", "contact_email", "contact_address")


# Anonymous (web, QR) réclamations per address; tablets have their own limits.
ADDRESS_LIMIT = parse_limit("20 per minute")


def _parse(payload: dict) -> NewReclamation:
    """Check the JSON types; the rules themselves are the domain's."""
    if not isinstance(payload, dict):
        raise DomainError("The body must be a JSON object.", "body")
    try:
        client_id = str(uuid.UUID(str(payload.get("reclamation_id", ""))))
    except ValueError:
        raise DomainError("reclamation_id must be a UUID.", "reclamation_id") from None
    for name in _STRINGS + _OPTIONAL:
        value = payload.get(name)
        required = name not in _OPTIONAL and name != "language"
        if value is None and not required:
            continue
        if not isinstance(value, str):
            raise DomainError(f"{name} must be a string.", name)
    if payload["channel"] not in API_CHANNELS:
        raise DomainError("channel must be kiosk, qr or web.", "channel")
    wanted = payload.get("reply_wanted", False)
    if not isinstance(wanted, bool):
        raise DomainError("reply_wanted must be true or false.", "reply_wanted")
    return NewReclamation(
        kind=payload["kind"],
        channel=payload["channel"],
        category=payload["category"],
        site=payload["site"],
        service=payload.get("service") or None,
        text=payload["text"],
        language=payload.get("language") or "fr",
        reply_wanted=wanted,
        contact_name=payload.get("contact_name"),
        contact_email=payload.get("contact_email"),
        contact_address=payload.get("contact_address"),
        client_id=client_id,
    )


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
        new = _parse(payload)
        tablet, refusal = channel_credential(new.channel, payload, new.site, new.service)
        if refusal is not None:
            return refusal
        if tablet is not None:
            # A tablet may leave the service out: it is the one the tablet is bound to.
            if tablet.site.code != new.site or (new.service and new.service != tablet.service.code):
                return error(
                    403, "forbidden", "The tablet belongs to another site or service.", "site"
                )
            new.service = tablet.service.code
        rec, created = create_reclamation(session, new, reply_days=reply_days())
        if created:
            queue_acknowledgement(session, rec)
    except DomainError as failure:
        session.rollback()
        current_app.logger.info(
            "reclamation refused: field=%s code=%s", failure.field, failure.code
        )
        status = STATUS_BY_CODE.get(failure.code, 400)
        return error(status, failure.code, failure.message, failure.field)
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
            "channel": {"type": "string", "enum": list(API_CHANNELS)},
            "language": {
                "type": "string",
                "enum": ["fr", "en", "es", "pt", "ar", "ru", "uk", "tr", "ro", "zh"],
                "default": "fr",
            },
            "kind": {"type": "string", "enum": ["suggestion", "reclamation", "remerciement"]},
            "category": {
                "type": "string",
                "description": "A category code: waiting_time, appointment, reception, "
                "information, premises, telephone, website, other (or one a quality mission "
                "added).",
            },
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": 5000,
                "description": "Counted in characters.",
            },
            "reply_wanted": {"type": "boolean", "default": False},
            "contact_name": {"type": ["string", "null"], "maxLength": 200},
            "contact_email": {"type": ["string", "null"], "format": "email", "maxLength": 320},
            "contact_address": {"type": ["string", "null"], "maxLength": 1000},
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
