"""Réponses-types: the replies a quality mission writes once, per category and service.

The committee asked that they be used "lorsque cela semble adapté, tout en veillant à ne pas
les systématiser": an agent starts from one and is expected to make it personal; a reply
sent exactly as its template was filled asks for an explicit confirmation. A template has a
text per language (French required); the usager's language is used when it has one.
Placeholders, in braces, are filled from the réclamation: ``{nom}`` (the usager's name, or a
courtesy form when none was given), ``{reference}``, ``{date_reception}`` and ``{service}``.
"""

from __future__ import annotations

import re

from babel.dates import format_date
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import DomainError
from .fields import clean_name
from .i18n import _l
from .languages import USAGER_LANGUAGES
from .models import Reclamation, ReclamationCategory, ReplyTemplate, Service

PLACEHOLDERS = ("nom", "reference", "date_reception", "service")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_TEMPLATE = 10_000
# When the usager left no name: how a letter greets an unknown reader.
NO_NAME = {"fr": "Madame, Monsieur", "en": "Sir or Madam"}


def _texts(texts: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for language, text in texts.items():
        if language not in USAGER_LANGUAGES:
            raise DomainError(_l("langue inconnue"), field="texts", code="unknown_language")
        text = (text or "").strip()
        if len(text) > MAX_TEMPLATE:
            raise DomainError(_l("trop long"), field=f"text_{language}", code="too_long")
        unknown = [p for p in _PLACEHOLDER.findall(text) if p not in PLACEHOLDERS]
        if unknown:
            error = DomainError(
                _l("repère inconnu"), field=f"text_{language}", code="unknown_placeholder"
            )
            error.placeholders = unknown
            raise error
        if text:
            cleaned[language] = text
    if "fr" not in cleaned:
        raise DomainError(
            _l("texte en français obligatoire"), field="text_fr", code="french_required"
        )
    return cleaned


def save_template(
    session: Session,
    template: ReplyTemplate | None,
    *,
    name: str,
    category_id: int | None,
    service_id: int | None,
    texts: dict[str, str],
    active: bool = True,
) -> ReplyTemplate:
    """Create (``template`` None) or update a réponse-type and return it; DomainError names
    the field at fault (an unknown category or service, a placeholder not in
    :data:`PLACEHOLDERS`, no French text)."""
    if category_id is not None and session.get(ReclamationCategory, category_id) is None:
        raise DomainError(_l("catégorie inconnue"), field="category", code="unknown")
    if service_id is not None and session.get(Service, service_id) is None:
        raise DomainError(_l("service inconnu"), field="service", code="unknown")
    if template is None:
        template = ReplyTemplate()
        session.add(template)
    template.name = clean_name(name)
    template.category_id = category_id
    template.service_id = service_id
    template.texts = _texts(texts)
    template.active = bool(active)
    session.flush()
    return template


def templates_for(session: Session, rec: Reclamation) -> list[ReplyTemplate]:
    """Return the active réponses-types that fit ``rec`` (its category or every one, its
    service or every one), the most specific first."""
    services = [s for s in (rec.assigned_service_id, rec.service_id) if s is not None]
    query = select(ReplyTemplate).where(
        ReplyTemplate.active.is_(True),
        or_(ReplyTemplate.category_id.is_(None), ReplyTemplate.category_id == rec.category_id),
        or_(ReplyTemplate.service_id.is_(None), ReplyTemplate.service_id.in_(services)),
    )
    found = session.scalars(query).all()
    return sorted(
        found,
        key=lambda t: (t.service_id is None, t.category_id is None, t.name.lower(), t.id),
    )


def fill_template(template: ReplyTemplate, rec: Reclamation) -> str:
    """Return the template's text for ``rec``: in the usager's language when the template
    has one (French otherwise), its placeholders filled."""
    language = rec.language if rec.language in template.texts else "fr"
    service = rec.assigned_service or rec.service
    values = {
        "nom": rec.contact_name or NO_NAME.get(language, NO_NAME["fr"]),
        "reference": rec.reference,
        "date_reception": format_date(
            rec.received_on, "long", locale=USAGER_LANGUAGES[language][1]
        ),
        "service": service.name if service is not None else rec.site.name,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.texts[language])


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def use_template(
    session: Session, rec: Reclamation, template_id: int | None, reply: str, *, confirmed: bool
) -> None:
    """Note on ``rec`` the réponse-type its reply started from (None: none). A reply that is
    the filled template unchanged is refused (``unchanged_template``) unless ``confirmed``."""
    if template_id is None:
        rec.reply_template_id = None
        return
    template = session.get(ReplyTemplate, template_id)
    if template is None or template not in templates_for(session, rec):
        raise DomainError(_l("réponse-type inconnue"), field="template", code="unknown")
    if _same_text(fill_template(template, rec), reply) and not confirmed:
        raise DomainError(
            _l("Cette réponse est la réponse-type telle quelle."),
            "reply_text",
            "unchanged_template",
        )
    rec.reply_template_id = template.id


def template_usage(session: Session) -> dict[int, int]:
    """Return, per réponse-type id, how many replies started from it."""
    return dict(
        session.execute(
            select(Reclamation.reply_template_id, func.count())
            .where(Reclamation.reply_template_id.is_not(None))
            .group_by(Reclamation.reply_template_id)
        ).all()
    )
