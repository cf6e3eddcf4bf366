"""Tablets: registration with a one-time enrolment code (only hashes are stored); renaming,
moving and revoking one; when each was seen and what its anti-abuse rule met. A change
checks its input and raises ``DomainError`` (with the field at fault) rather than storing
something wrong; the caller commits and writes the audit entry."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from . import DomainError
from .fields import clean_name
from .i18n import _l
from .models import RefusedSubmission, Response, Service, Tablet, utcnow


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


class EnrolmentError(Exception):
    """An enrolment code that is unknown, already used, expired or revoked."""


def enrol_tablet(session: Session, code: str) -> tuple[Tablet, str]:
    """Bind the tablet whose one-time ``code`` this is; return it with its device token.

    The code is consumed (it cannot enrol a second device) and the token, a long random
    secret, is returned once: only its hash is kept. Raises :class:`EnrolmentError`.
    """
    if not code or len(code) > 200:
        raise EnrolmentError("unknown code")
    tablet = session.scalars(
        select(Tablet).where(Tablet.enrolment_code_hash == token_hash(code)).with_for_update()
    ).first()
    if tablet is None or tablet.revoked_at is not None:
        raise EnrolmentError("unknown code")
    expires = tablet.enrolment_expires_at
    if expires is None or expires < utcnow():
        raise EnrolmentError("expired code")
    token = secrets.token_urlsafe(32)
    tablet.token_hash = token_hash(token)
    tablet.enrolment_code_hash = None
    tablet.enrolment_expires_at = None
    tablet.enrolled_at = utcnow()
    tablet.last_seen_at = tablet.enrolled_at
    session.flush()
    return tablet, token


def new_enrolment_code(session: Session, tablet: Tablet, valid_minutes: int = 30) -> str:
    """Give ``tablet`` a fresh one-time enrolment code (e.g. a replaced device); return it.

    The previous device token stops working when the new code is used.
    """
    code = secrets.token_urlsafe(24)
    tablet.enrolment_code_hash = token_hash(code)
    tablet.enrolment_expires_at = utcnow() + timedelta(minutes=valid_minutes)
    session.flush()
    return code


def rename_tablet(tablet: Tablet, name: str) -> None:
    """Give a tablet a new name (as shown in the back office)."""
    tablet.name = clean_name(name)


def move_tablet(tablet: Tablet, service: Service) -> None:
    """Attach a tablet to another service (of any site); its next responses go there."""
    if tablet.revoked_at is not None:
        raise DomainError(_l("tablette révoquée"), field="service", code="revoked")
    if not service.active or not service.site.active:
        raise DomainError(_l("service inactif"), field="service", code="inactive")
    tablet.site_id = service.site_id
    tablet.service_id = service.id


def revoke_tablet(tablet: Tablet) -> None:
    """Withdraw a tablet's credentials: it can no longer send responses or enrol."""
    if tablet.revoked_at is None:
        tablet.revoked_at = utcnow()
    tablet.token_hash = None
    tablet.enrolment_code_hash = None
    tablet.enrolment_expires_at = None


def tablet_for_token(session: Session, token: str | None) -> Tablet | None:
    """Return the enrolled, non-revoked tablet holding device ``token``, or None."""
    if not token or len(token) > 200:
        return None
    tablet = session.scalars(select(Tablet).where(Tablet.token_hash == token_hash(token))).first()
    if tablet is None or tablet.revoked_at is not None or tablet.enrolled_at is None:
        return None
    return tablet


def mark_seen(session: Session, tablet: Tablet, minimum_gap_seconds: int = 60) -> bool:
    """Record that ``tablet`` called in now; return True when ``last_seen_at`` changed.

    Writes at most once per ``minimum_gap_seconds`` so a busy tablet does not turn every
    page load into a database write.
    """
    now = utcnow()
    last = tablet.last_seen_at
    if last is not None and (now - last).total_seconds() < minimum_gap_seconds:
        return False
    tablet.last_seen_at = now
    session.flush()
    return True


def mark_seen_by_id(session: Session, tablet_id: int, minimum_gap_seconds: int = 60) -> bool:
    """As :func:`mark_seen` for a tablet known by id only (one UPDATE, no load); return
    True when ``last_seen_at`` changed."""
    now = utcnow()
    changed = session.execute(
        update(Tablet)
        .where(
            Tablet.id == tablet_id,
            or_(
                Tablet.last_seen_at.is_(None),
                Tablet.last_seen_at < now - timedelta(seconds=minimum_gap_seconds),
            ),
        )
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount > 0


def tablet_anomalies(session: Session, since: datetime) -> dict[int, dict[str, int]]:
    """Return, per tablet id, what its anti-abuse rule met since ``since``: ``marked``
    (responses kept with a flag, left out of the rates) and ``refused`` (submissions the
    server refused, all reasons); tablets with neither are absent."""
    found: dict[int, dict[str, int]] = {}
    marked = session.execute(
        select(Response.tablet_id, func.count())
        .where(
            Response.tablet_id.is_not(None),
            Response.flag.is_not(None),
            Response.submitted_at >= since,
        )
        .group_by(Response.tablet_id)
    )
    for tablet_id, n in marked:
        found.setdefault(tablet_id, {"marked": 0, "refused": 0})["marked"] = n
    refused = session.execute(
        select(RefusedSubmission.tablet_id, func.sum(RefusedSubmission.count))
        .where(RefusedSubmission.tablet_id.is_not(None), RefusedSubmission.at >= since)
        .group_by(RefusedSubmission.tablet_id)
    )
    for tablet_id, n in refused:
        found.setdefault(tablet_id, {"marked": 0, "refused": 0})["refused"] = int(n or 0)
    return found
