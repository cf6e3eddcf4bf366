"""Forms of the phone and web survey pages.

The star ratings are radio groups named ``rating-<criterion code>``; they are read by
:func:`survey_payload` into the same JSON-shaped payload the API takes, so one domain
function (``surveys.responses``) validates every channel.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict


class SurveyForm(FlaskForm):
    """CSRF protection of the survey form; the ratings are read by ``survey_payload``."""


def survey_payload(
    form: MultiDict, *, site: str, service: str, channel: str, language: str, codes: list[str]
) -> dict:
    """Return the API-shaped payload of a posted survey form (ratings as integers)."""
    ratings = {}
    for code in codes:
        value = form.get(f"rating-{code}", "")
        if value in ("1", "2", "3", "4", "5"):
            ratings[code] = int(value)
    return {
        "response_id": form.get("response_id", ""),
        "site": site,
        "service": service,
        "channel": channel,
        "language": language,
        "submitted_at": datetime.now(UTC).isoformat(),
        "ratings": ratings,
        "comment": form.get("comment", ""),
    }
