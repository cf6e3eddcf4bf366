"""``/api/v1/openapi.json``: each API module adds its paths and schemas to ``SPEC``."""

from __future__ import annotations

from flask import jsonify

from ..auth.access import public_endpoint
from . import bp

SPEC: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Avis API",
        "version": "1.0.0",
        "description": "Responses, réclamations and reports of Avis.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {},
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
            }
        },
        "securitySchemes": {},
    },
}


def add_path(path: str, item: dict) -> None:
    """Describe ``path`` (relative to /api/v1) in the OpenAPI document."""
    SPEC["paths"].setdefault(path, {}).update(item)


def add_schema(name: str, schema: dict) -> None:
    SPEC["components"]["schemas"][name] = schema


@bp.get("/openapi.json")
@public_endpoint
def openapi_document():
    return jsonify(SPEC)
