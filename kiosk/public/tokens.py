"""Signed survey tokens: what a QR code or a survey link carries.

A token names a site, a service and optionally a campaign, signed with the app's
``SECRET_KEY`` (itsdangerous, one salt per purpose), so a poster cannot be edited
into another service's. Tokens are short (codes, not ids; no timestamp) so the QR
code stays easy to scan; they do not expire, because a poster stays on a wall for
years. Rotating ``AVIS_SECRET_KEY`` invalidates every poster printed before.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SURVEY_SALT = "avis.survey-link.v1"


class InvalidSurveyToken(Exception):
    """The token was altered, truncated or signed with another key."""


@dataclass(frozen=True)
class SurveyTarget:
    """Where a survey link points: a site, a service and maybe a campaign (codes)."""

    site_code: str
    service_code: str
    campaign_code: str | None = None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SURVEY_SALT)


def make_survey_token(site_code: str, service_code: str, campaign_code: str | None = None) -> str:
    """Return the signed token of a survey link for a site and service (and campaign)."""
    payload = [site_code, service_code] + ([campaign_code] if campaign_code else [])
    return _serializer().dumps(payload)


def read_survey_token(token: str) -> SurveyTarget:
    """Return the target of ``token``; raise :class:`InvalidSurveyToken` when tampered."""
    try:
        payload = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError) as error:
        raise InvalidSurveyToken("invalid survey token") from error
    if (
        not isinstance(payload, list)
        or len(payload) not in (2, 3)
        or not all(isinstance(part, str) and part for part in payload)
    ):
        raise InvalidSurveyToken("invalid survey token")
    return SurveyTarget(payload[0], payload[1], payload[2] if len(payload) == 3 else None)


def survey_path(token: str) -> str:
    """Return the path of the phone survey page for ``token`` (``/q/<token>``)."""
    return f"/q/{token}"


def survey_url(site_code: str, service_code: str, campaign_code: str | None = None) -> str:
    """Return the absolute survey URL for a QR code, from ``AVIS_BASE_URL``."""
    token = make_survey_token(site_code, service_code, campaign_code)
    return current_app.config["AVIS_BASE_URL"].rstrip("/") + survey_path(token)
