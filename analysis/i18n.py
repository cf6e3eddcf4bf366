"""Translations and number formats of the reports, without Flask.

French is the reference language (the msgids); other languages are read from
``analysis/translations/<lang>/LC_MESSAGES/messages.po`` and compiled in memory."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import parse_pattern
from babel.support import NullTranslations, Translations

CATALOGS = Path(__file__).parent / "translations"
LANGUAGES = ("fr", "en")
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """Return the gettext translations of ``language`` (French needs none)."""
    po = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if language == "fr" or not po.exists():
        return NullTranslations()
    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache(maxsize=64)
def _pattern(pattern: str):
    # Babel parses the pattern on every call; a dashboard formats thousands of cells.
    return parse_pattern(pattern)


@lru_cache(maxsize=8)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


class Formatter:
    """Number, percentage and date formats of one language (``85,7 %`` in French)."""

    def __init__(self, language: str = "fr") -> None:
        self.language = language if language in LANGUAGES else "fr"
        self.locale = LOCALES[self.language]
        self.gettext = translations(self.language).gettext

    def percent(self, value: float | None, digits: int = 1) -> str:
        """Return ``value`` (a fraction) as a percentage, or an en dash when None."""
        if value is None:
            return "–"
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        pattern += "\u00a0%" if self.language == "fr" else "%"
        return _pattern(pattern).apply(value, _locale(self.locale))

    def number(self, value: float | None, digits: int = 1) -> str:
        """Return ``value`` with ``digits`` decimals in the language's format."""
        if value is None:
            return "–"
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return _pattern(pattern).apply(value, _locale(self.locale))

    def channel(self, code: str) -> str:
        """Return the name of a response or réclamation channel (``kiosk`` is « Tablette »),
        else ``code``."""
        _ = self.gettext
        names = {
            "kiosk": _("Tablette"),
            "qr": _("QR code"),
            "web": _("Site web"),
            "paper": _("Papier"),
            "services_publics_plus": _("Services Publics+"),
        }
        return names.get(code, code)

    def language_name(self, code: str) -> str:
        """Return the name of the language of ``code`` in this language (``ar`` is « Arabe »),
        else ``code``."""
        name = _locale(self.locale).languages.get(code)
        return name[:1].upper() + name[1:] if name else code

    def integer(self, value: int) -> str:
        """Return ``value`` with the language's thousands separator."""
        return _pattern("#,##0").apply(value, _locale(self.locale))

    def points(self, value: float | None) -> str:
        """Return a difference in points with its sign (``+3,2 pts``)."""
        if value is None:
            return "–"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return f"{sign}{self.number(abs(value))}\u00a0" + self.gettext("pts")

    def date(self, value: date) -> str:
        """Return ``value`` as a long date (``14 janvier 2026``)."""
        return format_date(value, format="long", locale=self.locale)
