"""The audit log of back-office actions: who did what, when, to which object.

Never put comment text, contact details or any other personal data in an entry:
``detail`` is for codes, counts and field names only.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry, User

_MAX_DETAIL = 500
# Anything that looks like an email address or a phone number is masked, in case a caller
# passes a value it should not have.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"\+?\d[\d .\-]{7,}\d")


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = _EMAIL.sub("[…]", str(text))
    text = _PHONE.sub("[…]", text)
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:limit]


def record(
    session: Session,
    user: User | int | None,
    action: str,
    object_type: str | None,
    object_id: object = None,
    detail: str | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session`` (not committed) and return it.

    ``user`` is the acting user (or its id, or None for the system/CLI); ``action`` a short
    code such as ``"site.create"``; ``detail`` codes or field names, never personal data.
    """
    user_id = user if isinstance(user, int) or user is None else getattr(user, "id", None)
    entry = AuditEntry(
        user_id=user_id,
        action=_clean(action, 64) or "",
        object_type=_clean(object_type, 64),
        object_id=_clean(None if object_id is None else str(object_id), 64),
        detail=_clean(detail, _MAX_DETAIL),
    )
    session.add(entry)
    return entry


def recent(
    session: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    user_id: int | None = None,
) -> list[AuditEntry]:
    """Return the latest audit entries, newest first, optionally filtered."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    return list(session.scalars(query.limit(limit).offset(offset)))
