"""Suggestions, réclamations and remerciements: receiving one (validation, reference,
deadline), assigning it, recording its reply, closing it. Every step is an event that says
who and when, and never holds the usager's text or contact details."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import DomainError
from .calendar import local_today, reply_deadline
from .languages import USAGER_LANGUAGES
from .models import (
    RECLAMATION_CHANNELS,
    RECLAMATION_KINDS,
    REPLY_CHANNELS,
    SUBMITTED_CHANNELS,
    Reclamation,
    ReclamationCategory,
    ReclamationEvent,
    ReferenceCounter,
    Service,
    Site,
    utcnow,
)

MAX_TEXT = 5000
MAX_REPLY = 10000
MAX_NAME = 200
MAX_EMAIL = 320
MAX_ADDRESS = 1000
# Channels an agent types in from the back office; the others come from usagers' screens.
OFFICE_CHANNELS = ("urne", "courrier", "courriel", "telephone", "services_publics_plus")
_REFERENCE = re.compile(r"^(\d{2,3}|2[AB])-\d{4}-\d{6}$")


@dataclass
class NewReclamation:
    """What a form, the API or the back-office entry hands over, before validation."""

    kind: str
    channel: str
    category: str
    site: str
    service: str | None
    text: str
    language: str = "fr"
    received_on: date | None = None
    reply_wanted: bool = False
    contact_name: str | None = None
    contact_email: str | None = None
    contact_address: str | None = None
    client_id: str | None = None
    # Imports say so for suggestions and réclamations without contact details.
    reply_expected: bool | None = None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _single_line(value: str | None, field: str, limit: int) -> str | None:
    value = _clean(value)
    if value is None:
        return None
    if "\r" in value or "\n" in value:
        raise DomainError("Ce champ ne peut pas contenir de saut de ligne.", field, "line_break")
    if len(value) > limit:
        raise DomainError("Ce champ est trop long.", field, "too_long")
    return value


_JSON_STRINGS = ("site", "service", "kind", "category", "text", "language", "channel")
_JSON_OPTIONAL = ("service", "contact_name", "contact_email", "contact_address")


def parse_reclamation_payload(payload: object) -> NewReclamation:
    """Read a réclamation posted as JSON (``POST /api/v1/reclamations``): check its types
    and channel; the rules themselves are :func:`create_reclamation`'s."""
    if not isinstance(payload, dict):
        raise DomainError("The body must be a JSON object.", "body")
    try:
        client_id = str(uuid.UUID(str(payload.get("reclamation_id", ""))))
    except ValueError:
        raise DomainError("reclamation_id must be a UUID.", "reclamation_id") from None
    for name in _JSON_STRINGS + _JSON_OPTIONAL:
        value = payload.get(name)
        required = name not in _JSON_OPTIONAL and name != "language"
        if value is None and not required:
            continue
        if not isinstance(value, str):
            raise DomainError(f"{name} must be a string.", name)
    if payload["channel"] not in SUBMITTED_CHANNELS:
        raise DomainError("channel must be " + ", ".join(SUBMITTED_CHANNELS) + ".", "channel")
    wanted = payload.get("reply_wanted", False)
    if not isinstance(wanted, bool):
        raise DomainError("reply_wanted must be true or false.", "reply_wanted")
    return NewReclamation(
        kind=payload["kind"],
        channel=payload["channel"],
        category=payload["category"],
        site=payload["site"],
        service=payload.get("service") or None,
        text=payload["text"],
        language=payload.get("language") or "fr",
        reply_wanted=wanted,
        contact_name=payload.get("contact_name"),
        contact_email=payload.get("contact_email"),
        contact_address=payload.get("contact_address"),
        client_id=client_id,
    )


def bind_to_tablet(new: NewReclamation, site_code: str, service_code: str) -> None:
    """File a réclamation sent by a tablet under the tablet's own site and service: it may
    leave the service out, never name another (DomainError ``forbidden``), as for responses."""
    if new.site != site_code or (new.service and new.service != service_code):
        raise DomainError("The tablet belongs to another site or service.", "site", "forbidden")
    new.service = service_code


def validate_email(value: str | None) -> str | None:
    """Return the email address trimmed, or None if empty; raise DomainError if malformed
    (a line break in it could inject mail headers)."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email as check

    value = _single_line(value, "contact_email", MAX_EMAIL)
    if value is not None:
        try:
            # The library's rules (RFC 5322 and 6531, internationalised addresses); no DNS
            # lookup: the tablets' networks are closed.
            check(value, check_deliverability=False)
        except EmailNotValidError as error:
            raise DomainError(
                "Cette adresse électronique n'est pas valide.", "contact_email", "email"
            ) from error
    return value


def validate_text(value: str | None, field: str = "text", limit: int = MAX_TEXT) -> str:
    """Return the text trimmed; raise DomainError when empty or longer than ``limit``
    characters (counted in characters, not bytes)."""
    value = _clean(value.replace("\r\n", "\n") if value else value)
    if not value:
        raise DomainError("Le texte est obligatoire.", field, "required")
    if len(value) > limit:
        raise DomainError("Le texte dépasse la longueur permise.", field, "too_long")
    return value


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
        raise DomainError("Type de message inconnu.", "kind", "unknown")
    if new.channel not in RECLAMATION_CHANNELS:
        raise DomainError("Canal inconnu.", "channel", "unknown")
    text = validate_text(new.text)
    if new.client_id is not None:
        existing = session.scalar(select(Reclamation).where(Reclamation.client_id == new.client_id))
        if existing is not None:
            if _same(existing, new, text):
                return existing, False
            raise DomainError(
                "Cet identifiant a déjà servi pour un autre message.", "reclamation_id", "conflict"
            )
    site = session.scalar(Site.by_code(new.site or ""))
    if site is None or not site.active:
        raise DomainError("Site inconnu.", "site", "unknown")
    service = None
    if new.service:
        service = session.scalar(Service.by_codes(site.code, new.service))
        if service is None or not service.active:
            raise DomainError("Service inconnu.", "service", "unknown")
    category = session.scalar(
        select(ReclamationCategory).where(ReclamationCategory.code == (new.category or ""))
    )
    if category is None or not category.active:
        raise DomainError("Catégorie inconnue.", "category", "unknown")
    if new.language not in USAGER_LANGUAGES:
        raise DomainError("Langue inconnue.", "language", "unknown")

    name = _single_line(new.contact_name, "contact_name", MAX_NAME)
    email = validate_email(new.contact_email)
    address = _clean(new.contact_address)
    if address is not None and len(address) > MAX_ADDRESS:
        raise DomainError("Ce champ est trop long.", "contact_address", "too_long")
    if not new.reply_wanted and (name or email or address):
        raise DomainError(
            "Les coordonnées ne sont conservées que si une réponse est demandée.",
            "reply_wanted",
            "contact_without_reply",
        )
    if new.reply_wanted and not (email or address):
        raise DomainError(
            "Indiquez une adresse électronique ou postale pour recevoir la réponse.",
            "contact_email",
            "contact_required",
        )

    local_today = today or site_today(site)
    received_on = new.received_on or local_today
    if received_on > local_today:
        raise DomainError("La date de réception est dans le futur.", "received_on", "future")
    if received_on.year < 2000:
        raise DomainError("La date de réception est trop ancienne.", "received_on", "too_old")

    if new.reply_expected is None:
        expected = new.kind != "remerciement" and new.reply_wanted
    else:
        expected = new.kind != "remerciement" and new.reply_expected
    due_on = (
        reply_deadline(received_on, new.channel, site.departement, reply_days) if expected else None
    )

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


def find_by_reference(session: Session, reference: str) -> Reclamation | None:
    """Return the réclamation with this reference, or None (also for a malformed one)."""
    reference = (reference or "").strip().upper()
    if not _REFERENCE.match(reference):
        return None
    return session.scalar(select(Reclamation).where(Reclamation.reference == reference))


def assign(session: Session, rec: Reclamation, service_id: int, user_id: int | None) -> None:
    """Assign ``rec`` to a service of its site; raise DomainError when closed or foreign."""
    if rec.status in ("answered", "closed"):
        raise DomainError("Ce message a déjà reçu sa réponse.", "status", "state")
    service = session.get(Service, service_id)
    if service is None or service.site_id != rec.site_id or not service.active:
        raise DomainError("Service inconnu.", "service", "unknown")
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
        raise DomainError("Ce message a déjà reçu sa réponse.", "status", "state")
    if channel not in REPLY_CHANNELS:
        raise DomainError("Canal de réponse inconnu.", "reply_channel", "unknown")
    if channel == "courriel" and not rec.contact_email:
        raise DomainError(
            "L'usager n'a pas laissé d'adresse électronique.", "reply_channel", "no_email"
        )
    body = validate_text(text, "reply_text", MAX_REPLY)
    if answered_on < rec.received_on:
        raise DomainError("La réponse précède la réception.", "answered_on", "before_receipt")
    if answered_on > (today or site_today(rec.site)):
        raise DomainError("La date de réponse est dans le futur.", "answered_on", "future")
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
        raise DomainError("Ce message est déjà clos.", "status", "state")
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
