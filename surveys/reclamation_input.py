"""A réclamation before it is stored: what a form, the API, the back office or an import
hands over (:class:`NewReclamation`), the limits of its fields, the API's JSON, the
tablet's own site and service, and the rules its text, contact details and day of receipt
follow. Storing it is ``surveys.reclamations``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import DomainError
from .fields import canonical_uuid
from .i18n import _l
from .models import SUBMITTED_CHANNELS

MAX_TEXT = 5000
MAX_REPLY = 10000
MAX_NAME = 200
MAX_EMAIL = 320
MAX_ADDRESS = 1000
# Channels an agent types in from the back office; the others come from usagers' screens.
OFFICE_CHANNELS = ("urne", "courrier", "courriel", "telephone", "services_publics_plus")


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
        raise DomainError(
            _l("Ce champ ne peut pas contenir de saut de ligne."), field, "line_break"
        )
    if len(value) > limit:
        raise DomainError(_l("Ce champ est trop long."), field, "too_long")
    return value


_JSON_STRINGS = ("site", "service", "kind", "category", "text", "language", "channel")
_JSON_OPTIONAL = ("service", "contact_name", "contact_email", "contact_address")


def parse_reclamation_payload(payload: object) -> NewReclamation:
    """Read a réclamation posted as JSON (``POST /api/v1/reclamations``): check its types
    and channel; the rules themselves are :func:`create_reclamation`'s."""
    if not isinstance(payload, dict):
        raise DomainError(_l("Le corps de la requête doit être un objet JSON."), "body")
    client_id = canonical_uuid(payload.get("reclamation_id"))
    if client_id is None:
        raise DomainError(_l("reclamation_id doit être un UUID."), "reclamation_id")
    for name in _JSON_STRINGS + _JSON_OPTIONAL:
        value = payload.get(name)
        required = name not in _JSON_OPTIONAL and name != "language"
        if value is None and not required:
            continue
        if not isinstance(value, str):
            raise DomainError(_l("{name} doit être une chaîne de caractères.", name=name), name)
    if payload["channel"] not in SUBMITTED_CHANNELS:
        raise DomainError(
            _l(
                "channel doit valoir l'une de ces valeurs : {channels}.",
                channels=", ".join(SUBMITTED_CHANNELS),
            ),
            "channel",
        )
    wanted = payload.get("reply_wanted", False)
    if not isinstance(wanted, bool):
        raise DomainError(_l("reply_wanted doit valoir true ou false."), "reply_wanted")
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
        raise DomainError(
            _l("La tablette appartient à un autre site ou service."), "site", "forbidden"
        )
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
                _l("Cette adresse électronique n'est pas valide."), "contact_email", "email"
            ) from error
    return value


def validate_text(value: str | None, field: str = "text", limit: int = MAX_TEXT) -> str:
    """Return the text trimmed; raise DomainError when empty or longer than ``limit``
    characters (counted in characters, not bytes)."""
    value = _clean(value.replace("\r\n", "\n") if value else value)
    if not value:
        raise DomainError(_l("Le texte est obligatoire."), field, "required")
    if len(value) > limit:
        raise DomainError(_l("Le texte dépasse la longueur permise."), field, "too_long")
    return value


def validated_contact(new: NewReclamation) -> tuple[str | None, str | None, str | None]:
    """Return ``new``'s contact name, email and postal address, trimmed; raise DomainError
    when one is malformed, when contact details come without a reply wanted (they are kept
    only to answer), or when a reply is wanted with no address to send it to."""
    name = _single_line(new.contact_name, "contact_name", MAX_NAME)
    email = validate_email(new.contact_email)
    address = _clean(new.contact_address)
    if address is not None and len(address) > MAX_ADDRESS:
        raise DomainError(_l("Ce champ est trop long."), "contact_address", "too_long")
    if not new.reply_wanted and (name or email or address):
        raise DomainError(
            _l("Les coordonnées ne sont conservées que si une réponse est demandée."),
            "reply_wanted",
            "contact_without_reply",
        )
    if new.reply_wanted and not (email or address):
        raise DomainError(
            _l("Indiquez une adresse électronique ou postale pour recevoir la réponse."),
            "contact_email",
            "contact_required",
        )
    return name, email, address


def validated_received_on(new: NewReclamation, today: date) -> date:
    """Return the day ``new`` was received (``today``, the site's, when not given); raise
    DomainError when it is after ``today`` or before 2000."""
    received_on = new.received_on or today
    if received_on > today:
        raise DomainError(_l("La date de réception est dans le futur."), "received_on", "future")
    if received_on.year < 2000:
        raise DomainError(_l("La date de réception est trop ancienne."), "received_on", "too_old")
    return received_on
