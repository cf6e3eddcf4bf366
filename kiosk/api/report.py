"""``GET /api/v1/report``: the report JSON of DESIGN.md, for a logged-in quality user."""

from __future__ import annotations

import json
from pathlib import Path

from flask import jsonify, request

from analysis.filters import make_filters
from surveys import DomainError
from surveys.bounds import parse_day

from ..auth.access import role_required
from ..db import get_read_session
from . import bp
from .errors import domain_error, error
from .openapi import add_path, add_schema


@bp.get("/report")
@role_required("admin", "quality")
def report():
    args = {}
    for name in ("from", "to"):
        value = request.args.get(name)
        if value:
            try:
                args[name] = parse_day(value, name)
            except DomainError:
                return error(
                    400, "invalid", f"{name} must be a date YYYY-MM-DD from 1900 to 2199", name
                )
    from analysis.report import build_report, report_json  # pandas: loaded on first use

    session = get_read_session()
    try:
        filters = make_filters(
            session,
            campaign_code=request.args.get("campaign") or None,
            date_from=args.get("from"),
            date_to=args.get("to"),
            site_codes=request.args.getlist("site"),
            service_codes=request.args.getlist("service"),
        )
        document = report_json(build_report(session, filters, full=False))
    except DomainError as failure:
        return domain_error(failure)
    return jsonify(document)


add_schema(
    "Report",
    json.loads(
        (Path(__file__).parents[2] / "analysis" / "schemas" / "report.schema.json").read_text()
    ),
)
add_path(
    "/report",
    {
        "get": {
            "summary": "The satisfaction and réclamation report (DESIGN.md, Report JSON)",
            "description": "For a logged-in admin or quality user (session cookie). Without "
            "dates: the campaign's dates, else the last twelve whole months. Dates are local "
            "dates of each site.",
            "parameters": [
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                {
                    "name": "site",
                    "in": "query",
                    "description": "A site code; repeat for several.",
                    "schema": {"type": "array", "items": {"type": "string"}},
                    "style": "form",
                    "explode": True,
                },
                {
                    "name": "service",
                    "in": "query",
                    "description": "A service code; repeat for several. Every figure then "
                    "counts those services only.",
                    "schema": {"type": "array", "items": {"type": "string"}},
                    "style": "form",
                    "explode": True,
                },
                {"name": "campaign", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "The report.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Report"}}
                    },
                },
                "400": {
                    "description": "A malformed date (named in `field`).",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "401": {"description": "Not logged in."},
                "403": {"description": "Not an admin or quality user."},
                "422": {
                    "description": "Unknown site, service or campaign.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    },
)
