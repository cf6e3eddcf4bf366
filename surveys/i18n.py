"""Messages of the imports, exports, data and demo commands and of the bounds of input, in
the user's language, without Flask.

A message is made where the rule is (``_l("« {value} » n'est pas un code", value=...)``) and
rendered where the user is: the command line in the language of ``LANG``, the back office in
the user's own, the API in English. French is the reference language (the msgids); the
English catalog is ``surveys/translations/en/LC_MESSAGES/messages.po``, compiled in memory as
the reports' is (``python scripts/translations.py update imports`` refreshes it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from .languages import BACKOFFICE_LANGUAGES

CATALOGS = Path(__file__).parent / "translations"
DEFAULT_LANGUAGE = "fr"


class ReferenceFrench(NullTranslations):
    """French, the reference language: the msgids as they are written, with French
    plurals. gettext's own fallback takes the singular for 1 only (the English rule), so
    a count of nothing read « 0 réponses »; in French 0 and 1 take the singular."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if abs(n) < 2 else msgid2

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(msgid1, msgid2, n)

    def dngettext(self, domain: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(msgid1, msgid2, n)

    # Babel's names for the same, which Jinja's i18n extension prefers to ``ngettext``.
    ungettext = ngettext
    dungettext = dngettext
    unpgettext = npgettext


def compiled_catalog(folder: Path, language: str) -> NullTranslations:
    """Return the gettext translations of ``language`` from ``folder``'s
    ``<language>/LC_MESSAGES/messages.po``, compiled in memory; French, the reference,
    and a language without a catalog get :class:`ReferenceFrench`. One rule for every
    catalog read without Flask (these messages, the reports')."""
    po = folder / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po.exists():
        return ReferenceFrench()
    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache(maxsize=4)
def translations(language: str) -> NullTranslations:
    """Return the gettext translations of ``language`` (French, the reference, needs none)."""
    return compiled_catalog(CATALOGS, language)


class Message:
    """A sentence to show a user, translated when it is rendered.

    ``text`` is the French msgid with ``{name}`` placeholders; ``values`` fill them, and a
    value that is itself a :class:`Message` is rendered in the same language. ``str()``
    gives the French text."""

    __slots__ = ("text", "plural", "count", "values")

    def __init__(
        self, text: str, plural: str | None = None, count: int | None = None, **values: object
    ) -> None:
        self.text = text
        self.plural = plural
        self.count = count
        self.values = values

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the sentence in ``language`` (French when there is no such catalog)."""
        catalog = translations(language if language in BACKOFFICE_LANGUAGES else "fr")
        if self.plural is None:
            pattern = catalog.gettext(self.text)
        else:
            pattern = catalog.ngettext(self.text, self.plural, self.count or 0)
        values = {key: render(value, language) for key, value in self.values.items()}
        if self.count is not None:
            values.setdefault("count", self.count)
        return pattern.format(**values)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANGUAGE)

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"


def render(value: object, language: str = DEFAULT_LANGUAGE) -> object:
    """Return ``value`` rendered in ``language`` when it is a :class:`Message` (a list of
    messages: one after the other, separated by « ; »), a float with the language's
    decimal separator (``0,93`` in French), else as is."""
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, list):
        return " ; ".join(str(render(part, language)) for part in value)
    if isinstance(value, float):
        locale = language if language in BACKOFFICE_LANGUAGES else DEFAULT_LANGUAGE
        return format_decimal(value, format="0.######", locale=locale)
    return value


def _l(text: str, **values: object) -> Message:  # noqa: N802 - the extraction keyword
    """Return the message ``text`` (French) with its values, translated when rendered."""
    return Message(text, **values)


def _ln(singular: str, plural: str, count: int, **values: object) -> Message:
    """Return a message with a singular and a plural form, chosen by ``count``."""
    return Message(singular, plural, count, **values)


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Return ``en`` when the user's locale is English, else ``fr`` (the reference).

    The locale is the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set, as for
    any POSIX program; ``C`` and ``POSIX`` leave the default, French."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            language = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return language if language in BACKOFFICE_LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
