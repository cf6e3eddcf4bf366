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


def enrol_in_browser(page, live_server, db, service=None, name="Tablette hall"):
    """Register a tablet, open its enrolment link in ``page`` and confirm; return the tablet."""
    service = service or make_service(db)
    tablet, code = register_tablet(db, service, name)
    db.commit()
    page.goto(f"{live_server.url}/kiosk/enrol/{code}")
    page.get_by_role("button", name="Enregistrer cette tablette").click()
    page.wait_for_url(f"{live_server.url}/kiosk/")
    return tablet


def stored_responses(db):
    """Return every stored response (fresh read; releases the session's lock at once)."""
    from sqlalchemy import select

    from surveys.models import Response

    db.expire_all()
    rows = db.scalars(select(Response).order_by(Response.id)).all()
    result = [
        {
            "response_id": r.response_id,
            "channel": r.channel,
            "language": r.language,
            "comment": r.comment,
            "ratings": sorted(a.rating for a in r.answers),
            "tablet_id": r.tablet_id,
        }
        for r in rows
    ]
    db.rollback()
    return result


def wait_for_responses(db, n, timeout=10.0):
    """Poll until ``n`` responses are stored; return them (or what there is at timeout)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        rows = stored_responses(db)
        if len(rows) >= n or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)
