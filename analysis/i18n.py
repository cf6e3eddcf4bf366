"""Translations and number formats of the reports, without Flask.

French is the reference language (the msgids); other languages are read from
``analysis/translations/<lang>/LC_MESSAGES/messages.po`` and compiled in memory."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import parse_pattern
from babel.support import NullTranslations

from surveys.i18n import compiled_catalog

CATALOGS = Path(__file__).parent / "translations"
LANGUAGES = ("fr", "en")
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def quarter_dates(year: int, number: int) -> tuple[date, date]:
    """Return the first and last days of quarter ``number`` (1 to 4) of ``year``."""
    first = date(year, 3 * number - 2, 1)
    last = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """Return the gettext translations of the reports in ``language`` (French needs none)."""
    return compiled_catalog(CATALOGS, language)


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
        self.ngettext = translations(self.language).ngettext
        self.decimal_mark = _locale(self.locale).number_symbols["latn"]["decimal"]

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
        """Return ``value`` as a long date (``14 janvier 2026``, ``1er janvier 2026``)."""
        if self.language == "fr" and value.day == 1:
            return "1er " + format_date(value, format="MMMM y", locale=self.locale)
        return format_date(value, format="long", locale=self.locale)

    def short_date(self, value: date) -> str:
        """Return ``value`` as a short date (``07/03/2022``)."""
        return format_date(value, format="dd/MM/y", locale=self.locale)

    def period(self, date_from: date, date_to: date) -> str:
        """Return a period as two long dates (``1er janvier 2022 – 31 décembre 2022``)."""
        return f"{self.date(date_from)} – {self.date(date_to)}"

    def period_label(self, date_from: date, date_to: date) -> str:
        """Return a short name of a period for a column: the year of a whole calendar
        year (``2022``), else the two short dates."""
        whole_year = (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31)
        if whole_year and date_from.year == date_to.year:
            return str(date_from.year)
        return f"{self.short_date(date_from)} – {self.short_date(date_to)}"

    def quarter_or_period(self, date_from: date, date_to: date) -> str:
        """Return a period as a poster names it: the quarter when it is a whole one
        (``4e trimestre 2022``), the year when it is a whole calendar year, else both
        dates (``Du 1er octobre 2022 au 15 novembre 2022``)."""
        _ = self.gettext
        year = date_from.year
        quarters = {
            1: _("1er trimestre {year}"),
            2: _("2e trimestre {year}"),
            3: _("3e trimestre {year}"),
            4: _("4e trimestre {year}"),
        }
        for number, text in quarters.items():
            if (date_from, date_to) == quarter_dates(year, number):
                return text.format(year=year)
        if (date_from, date_to) == (date(year, 1, 1), date(year, 12, 31)):
            return _("Année {year}").format(year=year)
        return _("Du {start} au {end}").format(start=self.date(date_from), end=self.date(date_to))

    def days(self, value: float | None, digits: int = 1) -> str:
        """Return a number of working days with its unit (``3,7 j``, ``3.7 d``)."""
        if value is None:
            return "–"
        return f"{self.number(value, digits)}\u00a0" + self.gettext("j")

    def delay_difference(self, value: float | None) -> str:
        """Return a difference of delays with its sign and unit (``−0,4 j``)."""
        if value is None:
            return "–"
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return f"{sign}{self.days(abs(value))}"

    def register_value(
        self, kind: str, unit: str, value: float | None, *, words: bool = False
    ) -> str:
        """Return a register indicator's value as a person reads it: a rate in percent with
        at most one decimal (``93 %``, ``24,8 %``), a delay in days with at most two
        (``1,28 j``; with ``words``, for the public: ``24 jours``), a count as a whole
        number (``1 375``); an en dash when None."""
        if value is None:
            return "–"
        locale = _locale(self.locale)
        if kind == "rate":
            sign = "\u00a0%" if self.language == "fr" else "%"
            return _pattern("#,##0.#").apply(value * 100, locale) + sign
        if kind == "count":
            return _pattern("#,##0").apply(round(value), locale)
        text = _pattern("#,##0.##").apply(value, locale)
        if unit in ("days", "working_days") and words:
            # French counts below 2 in the singular (« 1,28 jour »), English only 1.
            one = value < 2 if self.language == "fr" else value == 1
            if unit == "days":
                word = self.gettext("jour") if one else self.gettext("jours")
            else:
                word = self.gettext("jour ouvré") if one else self.gettext("jours ouvrés")
            return f"{text}\u00a0{word}"
        if unit in ("days", "working_days"):
            return f"{text}\u00a0" + self.gettext("j")
        return text

    def register_target(self, kind: str, unit: str, target: float | None, higher: bool) -> str:
        """Return a register indicator's target with its direction (``≥ 90 %``, ``≤ 5 j``),
        or an en dash when it has none."""
        if target is None:
            return "–"
        return ("≥\u00a0" if higher else "≤\u00a0") + self.register_value(kind, unit, target)

    def action_status(self, code: str) -> str:
        """Return the name of an action's status (``realisee`` is « réalisée »)."""
        _ = self.gettext
        names = {
            "prevue": _("prévue"),
            "en_cours": _("en cours"),
            "realisee": _("réalisée"),
            "abandonnee": _("abandonnée"),
        }
        return names.get(code, code)

    def labelled(self, label: str, value: str) -> str:
        """Return ``label : value`` with the language's punctuation (no space in English)."""
        return f"{label}\u00a0: {value}" if self.language == "fr" else f"{label}: {value}"

    def quoted(self, text: str) -> str:
        """Return ``text`` between the language's quotation marks (« » in French)."""
        return f"«\u00a0{text}\u00a0»" if self.language == "fr" else f"“{text}”"

    def share(self, part: int, whole: int) -> str:
        """Return ``part / whole`` with the percentage (``8 / 9 (88,9 %)``), the
        denominator always given."""
        if not whole:
            return f"{self.integer(part)} / 0"
        return f"{self.integer(part)} / {self.integer(whole)} ({self.percent(part / whole)})"
