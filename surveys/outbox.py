"""The queue of outgoing emails. Messages are written in the same transaction as what
caused them, so that no acknowledgement is sent for a réclamation that was not stored, and
any app server (or ``avis mail send``) can deliver them later."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import DomainError
from .models import OutboxMessage, utcnow

MAX_ATTEMPTS = 5


def queue_message(
    session: Session, to_address: str, subject: str, body: str, reclamation_id: int | None
) -> OutboxMessage:
    """Add a message to the queue and return it; raise DomainError for a header that holds
    a line break (header injection)."""
    for field, value in (("to_address", to_address), ("subject", subject)):
        if "\r" in value or "\n" in value:
            raise DomainError("Saut de ligne interdit dans un en-tête.", field, "line_break")
    message = OutboxMessage(
        to_address=to_address,
        subject=subject[:300],
        body=body,
        reclamation_id=reclamation_id,
        created_at=utcnow(),
        attempts=0,
    )
    session.add(message)
    session.flush()
    return message


def pending_query(limit: int = 50, max_attempts: int = MAX_ATTEMPTS):
    """Return the select() of messages still to send, oldest first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < max_attempts)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )


def deliver_pending(
    session: Session,
    send: Callable[[OutboxMessage], None],
    *,
    limit: int = 50,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[int, int]:
    """Send pending messages with ``send`` and commit after each; return (sent, failed).

    Rows are locked while sent (``SKIP LOCKED`` on PostgreSQL) so that two servers never
    send the same message. A failure keeps the message queued with its error's type only
    (an SMTP error may quote the address, which must not be kept in clear elsewhere).
    """
    query = pending_query(limit, max_attempts)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = failed = 0
    for message in session.scalars(query).all():
        try:
            send(message)
        except Exception as error:  # noqa: BLE001 - any transport failure keeps it queued
            message.attempts += 1
            message.last_error = type(error).__name__[:500]
            failed += 1
        else:
            message.attempts += 1
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
    session.commit()
    return sent, failed


def pending_count(session: Session) -> int:
    """Return how many messages wait to be sent (failed ones still retried included)."""
    return len(session.scalars(pending_query(limit=10_000)).all())
