"""Helpers of the survey-taking tests: an enrolled tablet, a valid API payload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from surveys.tablets import enrol_tablet, register_tablet
from tests.factories import make_service


def enrolled_tablet(db, service=None, name="Tablette hall"):
    """Return (tablet, device token) of a tablet enrolled on ``service`` (committed)."""
    service = service or make_service(db)
    tablet, code = register_tablet(db, service, name)
    tablet, token = enrol_tablet(db, code)
    db.commit()
    return tablet, token


def payload(**overrides) -> dict:
    """Return a valid kiosk submission for 92-nanterre/accueil, with ``overrides``."""
    body = {
        "response_id": str(uuid.uuid4()),
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "kiosk",
        "language": "fr",
        "submitted_at": datetime.now(UTC).isoformat(),
        "ratings": {"overall": 4},
        "comment": None,
    }
    body.update(overrides)
    return body


def at(seconds_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat()
