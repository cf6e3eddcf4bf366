"""Tablets: registration with a one-time enrolment code. Only hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from .models import Service, Tablet, utcnow


def token_hash(secret: str) -> str:
    """Return the stored form of a tablet secret (a token or an enrolment code).

    The secrets are long and random, so a fast hash is enough (no password stretching).
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def register_tablet(
    session: Session, service: Service, name: str, valid_minutes: int = 30
) -> tuple[Tablet, str]:
    """Create a tablet for ``service`` and return it with its one-time enrolment code."""
    code = secrets.token_urlsafe(24)
    tablet = Tablet(
        uid=str(uuid.uuid4()),
        name=name.strip()[:200],
        site_id=service.site_id,
        service_id=service.id,
        enrolment_code_hash=token_hash(code),
        enrolment_expires_at=utcnow() + timedelta(minutes=valid_minutes),
    )
    session.add(tablet)
    session.flush()
    return tablet, code
