"""The usager's rights over their data (GDPR): find everything held about a person by
email address or reference, export it (right of access), erase their contact details
(right to erasure) — the réclamation, anonymous from then on, stays in the statistics —
and purge contact details kept longer than the retention period."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from .db import truncate_wal
from .models import OutboxMessage, Reclamation, ReclamationEvent, User, utcnow
from .outbox import message_id_of_file
from .reclamations import find_by_reference, note_event

DEFAULT_RETENTION_DAYS = 3 * 365
_HAS_CONTACT = or_(
    Reclamation.contact_name.is_not(None),
    Reclamation.contact_email.is_not(None),
    Reclamation.contact_address.is_not(None),
)


def find_person(session: Session, query: str) -> list[Reclamation]:
    """Return the réclamations matching an email address (any case) or a reference,
    oldest first; an empty list for anything else."""
    query = (query or "").strip()
    if not query:
        return []
    if "@" in query:
        found = session.scalars(
            select(Reclamation)
            .where(func.lower(Reclamation.contact_email) == query.lower())
            .order_by(Reclamation.received_on, Reclamation.id)
        )
        return list(found)
    rec = find_by_reference(session, query)
    return [rec] if rec is not None else []


def export_person(session: Session, recs: list[Reclamation]) -> dict:
    """Return everything held about these réclamations as JSON-ready data (right of
    access): the messages, contact details, replies, steps and emails sent."""
    users = {u.id: u.name for u in session.scalars(select(User))}
    items = []
    for rec in recs:
        mails = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.reclamation_id == rec.id)
            .order_by(OutboxMessage.id)
        )
        items.append(
            {
                "reference": rec.reference,
                "kind": rec.kind,
                "channel": rec.channel,
                "site": rec.site.name,
                "service": rec.service.name if rec.service else None,
                "category": rec.category.code,
                "language": rec.language,
                "received_on": rec.received_on.isoformat(),
                "text": rec.text,
                "reply_wanted": rec.reply_wanted,
                "contact": {
                    "name": rec.contact_name,
                    "email": rec.contact_email,
                    "address": rec.contact_address,
                    "erased_at": rec.contact_erased_at.isoformat()
                    if rec.contact_erased_at
                    else None,
                },
                "status": rec.status,
                "due_on": rec.due_on.isoformat() if rec.due_on else None,
                "reply": {
                    "answered_on": rec.answered_on.isoformat() if rec.answered_on else None,
                    "channel": rec.reply_channel,
                    "text": rec.reply_text,
                },
                "steps": [
                    {
                        "at": event.at.isoformat(),
                        "action": event.action,
                        "by": users.get(event.user_id) if event.user_id else None,
                    }
                    for event in rec.events
                ],
                "emails": [
                    {
                        "to": mail.to_address,
                        "subject": mail.subject,
                        "body": mail.body,
                        "queued_at": mail.created_at.isoformat(),
                        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
                    }
                    for mail in mails
                ],
            }
        )
    return {"generated_at": utcnow().isoformat(), "reclamations": items}


def _forget_mail(session: Session, reclamation_ids: list[int]) -> None:
    # Every message about them goes: unsent mail to an erased address must never leave,
    # and a sent one is a copy of the address and the text. The steps of the réclamation
    # still say that a mail was queued; forget_copies() removes the files once committed.
    session.execute(delete(OutboxMessage).where(OutboxMessage.reclamation_id.in_(reclamation_ids)))


def erase_contact(session: Session, rec: Reclamation, user_id: int | None) -> bool:
    """Erase the contact details of ``rec`` and the emails about it; return False
    when there was nothing to erase. The réclamation and its statistics stay."""
    if rec.contact_name is None and rec.contact_email is None and rec.contact_address is None:
        return False
    rec.contact_name = rec.contact_email = rec.contact_address = None
    rec.contact_erased_at = utcnow()
    _forget_mail(session, [rec.id])
    note_event(session, rec, "contact_erased", user_id)
    return True


def purge_candidates(session: Session, retention_days: int, today: date):
    """Return the select() of réclamations whose contact details are past retention:
    the last exchange (or the receipt) is more than ``retention_days`` before ``today``."""
    limit = today - timedelta(days=retention_days)
    last = func.coalesce(Reclamation.last_exchange_on, Reclamation.received_on)
    return select(Reclamation.id).where(and_(_HAS_CONTACT, last < limit))


def purge(session: Session, retention_days: int, today: date, *, dry_run: bool = False) -> int:
    """Erase contact details kept past retention; return how many réclamations were (or,
    with ``dry_run``, would be) erased. The caller commits."""
    ids = list(session.scalars(purge_candidates(session, retention_days, today)))
    if dry_run or not ids:
        return len(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            update(Reclamation)
            .where(Reclamation.id.in_(chunk))
            .values(
                contact_name=None,
                contact_email=None,
                contact_address=None,
                contact_erased_at=utcnow(),
            )
        )
        _forget_mail(session, chunk)
        now = utcnow()
        session.execute(
            insert(ReclamationEvent),
            [{"reclamation_id": i, "at": now, "action": "contact_purged"} for i in chunk],
        )
    return len(ids)


def forget_copies(session: Session, mail_folder: Path | None) -> int:
    """Remove the copies an erasure leaves outside its rows, once it is committed; return
    how many mail files were removed.

    - the ``.eml`` files of ``mail_folder`` (mail written there when no SMTP server is
      configured) whose message is gone or erased: the erasure of the rows alone left the
      usager's name, address and text in them;
    - on SQLite, the earlier versions of the erased pages in the write-ahead log: the log
      is folded into the database and truncated. In the database file itself, deleted
      content is zeroed as it is freed (``PRAGMA secure_delete``, ``surveys.db``).
    """
    removed = 0
    if mail_folder is not None and mail_folder.is_dir():
        files = {}
        for path in mail_folder.glob("*.eml"):
            message_id = message_id_of_file(path.name)
            if message_id is not None:
                files[message_id] = path
        keep: set[int] = set()
        ids = sorted(files)
        for start in range(0, len(ids), 500):
            keep.update(
                session.scalars(
                    select(OutboxMessage.id).where(
                        OutboxMessage.id.in_(ids[start : start + 500]),
                        OutboxMessage.to_address != "",
                    )
                )
            )
        session.commit()  # ends the read (objects stay loaded): nothing holds the checkpoint
        for message_id, path in files.items():
            if message_id not in keep:
                path.unlink(missing_ok=True)
                removed += 1
    truncate_wal(session.get_bind())
    return removed
