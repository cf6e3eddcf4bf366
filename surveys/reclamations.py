"""Suggestions, réclamations and remerciements: receiving one (validation, reference,
deadline), assigning it, recording its reply, closing it. Every step is an event that says
who and when, and never holds the usager's text or contact details. What a new one must
satisfy before it is stored is ``surveys.reclamation_input``'s; its names stay importable
from here, where the views and tests take them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import DomainError
from .calendar import local_today, reply_deadline
from .csvformat import REFERENCE_RE
from .i18n import _l
from .languages import USAGER_LANGUAGES
from .models import (
    RECLAMATION_CHANNELS,
    RECLAMATION_KINDS,
    REPLY_CHANNELS,
    Reclamation,
    ReclamationCategory,
    ReclamationEvent,
    ReferenceCounter,
    Service,
    Site,
    utcnow,
)
from .reclamation_input import (
    MAX_ADDRESS,
    MAX_EMAIL,
    MAX_NAME,
    MAX_REPLY,
    MAX_TEXT,
    OFFICE_CHANNELS,
    NewReclamation,
    bind_to_tablet,
    parse_reclamation_payload,
    validate_email,
    validate_text,
    validated_contact,
    validated_received_on,
)

# The names of a new réclamation's input are re-exported: callers import them from here.
__all__ = [
    "MAX_ADDRESS",
    "MAX_EMAIL",
    "MAX_NAME",
    "MAX_REPLY",
    "MAX_TEXT",
    "OFFICE_CHANNELS",
    "NewReclamation",
    "active_categories",
    "assign",
    "bind_to_tablet",
    "close",
    "create_reclamation",
    "expects_reply",
    "find_by_reference",
    "next_reference",
    "note_event",
    "parse_reclamation_payload",
    "parse_reply_days",
    "record_reply",
    "site_today",
    "validate_email",
    "validate_text",
    "working_days_left",
]


def site_today(site: Site) -> date:
    """Return today's date in the site's time zone."""
    return local_today(site.timezone)


def active_categories(session: Session) -> list[ReclamationCategory]:
    """Return the active categories in their display order."""
    query = (
        select(ReclamationCategory)
        .where(ReclamationCategory.active.is_(True))
        .order_by(ReclamationCategory.position, ReclamationCategory.code)
    )
    return list(session.scalars(query))


def next_reference(session: Session, departement: str, year: int) -> str:
    """Return the next reference ``DD-YYYY-NNNNNN`` of a département and year.

    The counter row is created if missing (a conflict-free insert), then incremented by a
    single UPDATE ... RETURNING: the row lock (PostgreSQL) or the write transaction
    (SQLite, BEGIN IMMEDIATE) makes concurrent requests take distinct numbers.
    """
    dialect = session.get_bind().dialect.name
    values = {"departement": departement, "year": year, "last_value": 0}
    if dialect == "postgresql":
        stmt = postgresql.insert(ReferenceCounter).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(ReferenceCounter).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {dialect}")
    session.execute(stmt)
    value = session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.departement == departement, ReferenceCounter.year == year)
        .values(last_value=ReferenceCounter.last_value + 1)
        .returning(ReferenceCounter.last_value)
    ).scalar_one()
    return f"{departement}-{year:04d}-{value:06d}"


def _event(session: Session, rec: Reclamation, action: str, user_id: int | None, detail=None):
    session.add(
        ReclamationEvent(
            reclamation=rec, action=action, user_id=user_id, detail=detail, at=utcnow()
        )
    )


def _same(existing: Reclamation, new: NewReclamation, text: str) -> bool:
    return (
        existing.kind == new.kind
        and existing.channel == new.channel
        and existing.text == text
        and existing.site.code == new.site
    )


def _where(
    session: Session, new: NewReclamation
) -> tuple[Site, Service | None, ReclamationCategory]:
    """Return the active site, service (None when not named) and category ``new`` names;
    raise DomainError for one unknown or closed, or for a language no screen offers."""
    site = session.scalar(Site.by_code(new.site or ""))
    if site is None or not site.active:
        raise DomainError(_l("Site inconnu."), "site", "unknown")
    service = None
    if new.service:
        service = session.scalar(Service.by_codes(site.code, new.service))
        if service is None or not service.active:
            raise DomainError(_l("Service inconnu."), "service", "unknown")
    category = session.scalar(
        select(ReclamationCategory).where(ReclamationCategory.code == (new.category or ""))
    )
    if category is None or not category.active:
        raise DomainError(_l("Catégorie inconnue."), "category", "unknown")
    if new.language not in USAGER_LANGUAGES:
        raise DomainError(_l("Langue inconnue."), "language", "unknown")
    return site, service, category


def create_reclamation(
    session: Session,
    new: NewReclamation,
    *,
    user_id: int | None = None,
    reply_days: dict[str, int] | None = None,
    today: date | None = None,
) -> tuple[Reclamation, bool]:
    """Validate and store ``new``; return (the réclamation, True) or, when its
    ``client_id`` was already stored with the same content, (that one, False).

    Raises DomainError (naming the field) for anything invalid, and with code ``conflict``
    when the ``client_id`` was stored with a different content; nothing is stored then.
    """
    if new.kind not in RECLAMATION_KINDS:
        raise DomainError(_l("Type de message inconnu."), "kind", "unknown")
    if new.channel not in RECLAMATION_CHANNELS:
        raise DomainError(_l("Canal inconnu."), "channel", "unknown")
    text = validate_text(new.text)
    existing = _stored_copy(session, new, text)
    if existing is not None:
        return existing, False
    site, service, category = _where(session, new)
    name, email, address = validated_contact(new)
    received_on = validated_received_on(new, today or site_today(site))
    expected, due_on = _reply_due(new, received_on, site.departement, reply_days)

    rec = Reclamation(
        reference=next_reference(session, site.departement, received_on.year),
        client_id=new.client_id,
        kind=new.kind,
        channel=new.channel,
        category_id=category.id,
        site_id=site.id,
        service_id=service.id if service else None,
        language=new.language,
        received_on=received_on,
        received_at=utcnow(),
        due_on=due_on,
        text=text,
        reply_wanted=bool(new.reply_wanted),
        reply_expected=expected,
        contact_name=name if new.reply_wanted else None,
        contact_email=email if new.reply_wanted else None,
        contact_address=address if new.reply_wanted else None,
        status="new",
        last_exchange_on=received_on,
    )
    rec.site = site
    session.add(rec)
    _event(session, rec, "received", user_id, f"channel={new.channel}")
    session.flush()
    return rec, True


def _stored_copy(session: Session, new: NewReclamation, text: str) -> Reclamation | None:
    """Return the réclamation stored under ``new.client_id`` with the same content, or None
    when there is none; raise DomainError ``conflict`` when its content differs."""
    if new.client_id is None:
        return None
    existing = session.scalar(select(Reclamation).where(Reclamation.client_id == new.client_id))
    if existing is None or _same(existing, new, text):
        return existing
    raise DomainError(
        _l("Cet identifiant a déjà servi pour un autre message."), "reclamation_id", "conflict"
    )


def _reply_due(
    new: NewReclamation, received_on: date, departement: str, reply_days: dict[str, int] | None
) -> tuple[bool, date | None]:
    """Return whether ``new`` expects a reply (never a remerciement; otherwise when the
    usager wants one, or as its ``reply_expected`` says) and, when it does, its deadline."""
    if new.reply_expected is None:
        expected = new.kind != "remerciement" and new.reply_wanted
    else:
        expected = new.kind != "remerciement" and new.reply_expected
    due_on = reply_deadline(received_on, new.channel, departement, reply_days) if expected else None
    return expected, due_on


def find_by_reference(session: Session, reference: str) -> Reclamation | None:
    """Return the réclamation with this reference, or None (also for a malformed one)."""
    reference = (reference or "").strip().upper()
    if not REFERENCE_RE.match(reference):
        return None
    return session.scalar(select(Reclamation).where(Reclamation.reference == reference))


def assign(session: Session, rec: Reclamation, service_id: int, user_id: int | None) -> None:
    """Assign ``rec`` to a service of its site; raise DomainError when closed or foreign."""
    if rec.status in ("answered", "closed"):
        raise DomainError(_l("Ce message a déjà reçu sa réponse."), "status", "already_answered")
    service = session.get(Service, service_id)
    if service is None or service.site_id != rec.site_id or not service.active:
        raise DomainError(_l("Service inconnu."), "service", "unknown")
    rec.assigned_service_id = service.id
    rec.status = "assigned"
    _event(session, rec, "assigned", user_id, f"service={service.code}")
    session.flush()


def record_reply(
    session: Session,
    rec: Reclamation,
    *,
    text: str,
    channel: str,
    answered_on: date,
    user_id: int | None,
    today: date | None = None,
) -> None:
    """Record the reply (text, channel, date) and mark ``rec`` answered; raise DomainError
    for an unknown channel, a date before receipt or in the future, or a closed one."""
    if rec.status in ("answered", "closed"):
        raise DomainError(_l("Ce message a déjà reçu sa réponse."), "status", "already_answered")
    if channel not in REPLY_CHANNELS:
        raise DomainError(_l("Canal de réponse inconnu."), "reply_channel", "unknown")
    if channel == "courriel" and not rec.contact_email:
        raise DomainError(
            _l("L'usager n'a pas laissé d'adresse électronique."), "reply_channel", "no_email"
        )
    body = validate_text(text, "reply_text", MAX_REPLY)
    if answered_on < rec.received_on:
        raise DomainError(_l("La réponse précède la réception."), "answered_on", "before_receipt")
    if answered_on > (today or site_today(rec.site)):
        raise DomainError(_l("La date de réponse est dans le futur."), "answered_on", "future")
    rec.reply_text = body
    rec.reply_channel = channel
    rec.answered_on = answered_on
    rec.reply_recorded_at = utcnow()
    rec.last_exchange_on = max(rec.last_exchange_on or answered_on, answered_on)
    rec.status = "answered"
    _event(session, rec, "answered", user_id, f"channel={channel}")
    session.flush()


def close(session: Session, rec: Reclamation, user_id: int | None) -> None:
    """Close ``rec`` (a remerciement needs no reply; an answered one is done)."""
    if rec.status == "closed":
        raise DomainError(_l("Ce message est déjà clos."), "status", "already_closed")
    rec.status = "closed"
    _event(session, rec, "closed", user_id)
    session.flush()


def note_event(
    session: Session, rec: Reclamation, action: str, user_id: int | None, detail: str | None = None
) -> None:
    """Record a step that changes nothing else (email sent, contact erased...)."""
    _event(session, rec, action, user_id, detail)
    session.flush()


def expects_reply(rec: Reclamation) -> bool:
    """Return True when a reply is expected (DESIGN.md): a suggestion or réclamation that
    left a way to answer, or was imported as expecting one; never a remerciement."""
    return rec.kind != "remerciement" and bool(rec.reply_wanted or rec.reply_expected)


def working_days_left(rec: Reclamation, today: date) -> int | None:
    """Return the working days from ``today`` to the deadline (negative when overdue),
    or None when no reply is awaited."""
    from .calendar import working_days_between

    if rec.due_on is None or rec.status in ("answered", "closed") or not expects_reply(rec):
        return None
    departement = rec.site.departement
    if rec.due_on >= today:
        return working_days_between(today, rec.due_on, departement)
    return -working_days_between(rec.due_on, today, departement)


def parse_reply_days(text: str | None) -> dict[str, int] | None:
    """Return the reply days per channel from ``courriel=5,courrier=10``, merged over the
    defaults, or None when ``text`` is empty; raise ValueError when malformed."""
    from .calendar import DEFAULT_REPLY_DAYS

    if not text or not text.strip():
        return None
    table = dict(DEFAULT_REPLY_DAYS)
    for part in text.split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        if key not in table or not value.strip().isdigit():
            raise ValueError(f"bad AVIS_REPLY_DAYS entry {part!r}")
        table[key] = int(value)
    return table
