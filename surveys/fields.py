"""How the configuration's codes, names and labels are written, checked in one place."""

from __future__ import annotations

import re
import uuid

from . import DomainError
from .csvformat import CODE_RE
from .i18n import _l
from .languages import USAGER_LANGUAGES

# Sites and services appear in URLs and on posters: letters, digits and hyphens.
PLACE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Criteria, questionnaires and campaigns are named by the mission, as in the
# programmes' own documents (``waiting_time``, ``prise_rdv``): underscores too, as
# ``csvformat.CODE_RE`` (the rule of the files) allows.


def clean_code(value: str, field: str = "code", *, place: bool = False) -> str:
    """Return ``value`` as a code (trimmed, lower case); DomainError when it is not one.

    ``place``: the stricter rule of site and service codes (no underscore).
    """
    value = (value or "").strip().lower()
    if not (PLACE_CODE if place else CODE_RE).match(value):
        raise DomainError(
            _l("code invalide"), field=field, code="invalid_place_code" if place else "invalid_code"
        )
    return value


def clean_name(value: str, field: str = "name", limit: int = 200) -> str:
    """Return ``value`` with its spaces folded; DomainError when empty or too long."""
    value = " ".join((value or "").split())
    if not value:
        raise DomainError(_l("obligatoire"), field=field, code="required")
    if len(value) > limit:
        raise DomainError(_l("trop long"), field=field, code="too_long")
    return value


def clean_labels(labels: dict[str, str], field: str) -> dict[str, str]:
    """Return the non-empty labels per usager language; the French one is required."""
    cleaned = {}
    for language, text in labels.items():
        if language not in USAGER_LANGUAGES:
            raise DomainError(_l("langue inconnue"), field=field, code="unknown_language")
        text = " ".join((text or "").split())
        if len(text) > 300:
            raise DomainError(_l("trop long"), field=field, code="too_long")
        if text:
            cleaned[language] = text
    if "fr" not in cleaned:
        raise DomainError(
            _l("libellé en français obligatoire"), field=field, code="french_required"
        )
    return cleaned


def canonical_uuid(value: object) -> str | None:
    """Return ``value`` as a UUID in its canonical form (lower case, hyphens), or None when
    it is not a string holding one: the one reading of the ids clients choose (responses,
    réclamations, the paper questionnaire, imported rows, the usager pages' hidden ids)."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None
