"""The queue of outgoing emails. Messages are written in the same transaction as what
caused them, so that no acknowledgement is sent for a réclamation that was not stored, and
any app server (or ``avis mail send``) can deliver them later."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import DomainError
from .i18n import _l
from .models import OutboxMessage, utcnow

MAX_ATTEMPTS = 5


def queue_message(
    session: Session, to_address: str, subject: str, body: str, reclamation_id: int | None
) -> OutboxMessage:
    """Add a message to the queue and return it; raise DomainError for a header that holds
    a line break (header injection)."""
    for field, value in (("to_address", to_address), ("subject", subject)):
        if "\r" in value or "\n" in value:
            raise DomainError(_l("Saut de ligne interdit dans un en-tête."), field, "line_break")
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


@dataclass(frozen=True)
class QueuedMail:
    """What a sender needs of a queued message: read before its claim is committed, so
    that sending touches no database session."""

    id: int
    to_address: str
    subject: str
    body: str


# A claim older than this is a sender that died mid-send: another sender takes the message
# over. Far longer than an SMTP exchange, each step of which gives up after AVIS_SMTP_TIMEOUT.
CLAIM_SECONDS = 15 * 60


def deliver_pending(
    session: Session,
    send: Callable[[QueuedMail], None],
    *,
    limit: int = 50,
    max_attempts: int = MAX_ATTEMPTS,
    claim_seconds: int = CLAIM_SECONDS,
) -> tuple[int, int]:
    """Send up to ``limit`` pending messages with ``send``; return (sent, failed).

    Each message goes in three steps, and no transaction is open while it is sent (on
    SQLite, the tablets' writes never wait for a mail server): a short transaction claims
    it (``claimed_at``) and commits; ``send`` runs; a second short transaction marks it sent
    (or failed) and commits. A message the server accepted is marked sent at once, so a
    sender that stops afterwards does not send it again; another sender (a second server,
    ``avis mail send`` by hand while the timer runs) skips a message claimed less than
    ``claim_seconds`` ago. Only a sender stopped between the server's answer and its own
    commit leaves a message to go twice, once the claim is stale.

    A failure keeps the message queued with its error's type only (an SMTP error may quote
    the address, which must not be kept in clear elsewhere); it is retried at the next run.
    """
    sent = failed = 0
    after = 0  # each message at most once per run, in the order they were queued
    for _ in range(limit):
        mail = _claim(session, after, max_attempts, claim_seconds)
        if mail is None:
            break
        after = mail.id
        try:
            send(mail)
        except Exception as error:  # noqa: BLE001 - any transport failure keeps it queued
            _settle(session, mail.id, error)
            failed += 1
        else:
            _settle(session, mail.id, None)
            sent += 1
    return sent, failed


def _claim(
    session: Session, after: int, max_attempts: int, claim_seconds: int
) -> QueuedMail | None:
    """Claim the next pending message after id ``after`` and commit; return it or None."""
    now = utcnow()
    free = or_(
        OutboxMessage.claimed_at.is_(None),
        OutboxMessage.claimed_at < now - timedelta(seconds=claim_seconds),
    )
    try:
        while True:
            query = (
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.id > after,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.attempts < max_attempts,
                    free,
                )
                .order_by(OutboxMessage.id)
                .limit(1)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            message_id = session.scalar(query)
            if message_id is None:
                session.commit()
                return None
            # The claim itself decides between two senders that read the same row.
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), free)
                .values(claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                row = session.execute(
                    select(
                        OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body
                    ).where(OutboxMessage.id == message_id)
                ).one()
                session.commit()
                return QueuedMail(message_id, *row)
            after = message_id
    except BaseException:
        session.rollback()
        raise


def _settle(session: Session, message_id: int, error: Exception | None) -> None:
    """Record the outcome of sending ``message_id`` (sent, or the error's type) and commit."""
    values: dict = {"attempts": OutboxMessage.attempts + 1, "claimed_at": None}
    if error is None:
        values |= {"sent_at": utcnow(), "last_error": None}
    else:
        values["last_error"] = type(error).__name__[:500]
    try:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise


def mail_file_name(message_id: int) -> str:
    """The name of the file a message is written to when no SMTP server is configured."""
    return f"{message_id:08d}.eml"


def message_id_of_file(name: str) -> int | None:
    """The message id of a file named by :func:`mail_file_name`, or None for another file."""
    stem, dot, extension = name.partition(".")
    return int(stem) if dot and extension == "eml" and stem.isascii() and stem.isdigit() else None


def pending_count(session: Session) -> int:
    """Return how many messages wait to be sent (failed ones still retried included)."""
    return len(session.scalars(pending_query(limit=10_000)).all())
