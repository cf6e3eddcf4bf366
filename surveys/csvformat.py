"""The file formats of DESIGN.md shared by imports and exports, their errors and cell parsers.

Responses: ``response_id,submitted_at,site,service,channel,language,<criterion codes...>,comment``.
Réclamations: ``reference,kind,channel,site,service,category,received_on,answered_on,
reply_channel,text``. Sites: ``site,site_name,departement,service,service_name`` and optionally
``official_title``.
Exports write UTF-8, comma separated, ISO dates (the contract); imports also read what a
spreadsheet saves (``surveys.sheets``: separators, encodings, XLSX) and French dates
(``JJ/MM/AAAA [HH:MM]``). Every message is a :class:`surveys.i18n.Message`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from . import DomainError
from .i18n import DEFAULT_LANGUAGE, Message, _l, _ln, render

SITE_COLUMNS = ("site", "site_name", "departement", "service", "service_name")
SITE_OPTIONAL_COLUMNS = ("official_title",)
RESPONSE_LEADING = ("response_id", "submitted_at", "site", "service", "channel", "language")
RESPONSE_TRAILING = ("comment",)
RECLAMATION_COLUMNS = (
    "reference",
    "kind",
    "channel",
    "site",
    "service",
    "category",
    "received_on",
    "answered_on",
    "reply_channel",
    "text",
)

MAX_REPORTED_ERRORS = 50

# Called with the number of rows handled since the previous call (for a progress bar).
Progress = Callable[[int], None]


@dataclass
class ImportResult:
    """What an import did: rows read, rows created, updated and left unchanged; ``source``
    says how the file was read (separator and encoding, or the sheet), ``notes`` what else
    the user should know (how dates were read)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    source: Message | None = None
    notes: list[Message] = field(default_factory=list)

    def reading(self) -> Message | None:
        """Return the sentence saying how the file was read, or None."""
        return _reading(self.source, self.notes)


def _reading(source: Message | None, notes: list[Message]) -> Message | None:
    if source is None:
        return None
    if not notes:
        return _l("Fichier lu : {source}.", source=source)
    return _l("Fichier lu : {source} ; {notes}.", source=source, notes=notes)


CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
REFERENCE_RE = re.compile(r"^(\d{2,3}|2[AB])-(\d{4})-(\d{6})$")


class CellError(ValueError):
    """A cell that cannot be read; ``reason`` is the message shown to the user."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


class ImportRefused(DomainError):
    """A file refused as a whole; ``errors`` lists ``ligne N, colonne COL : raison`` messages.

    ``str()`` and ``message`` are French; :meth:`render` gives the text in a language."""

    def __init__(
        self, errors: list[Message], total: int | None = None, source: Message | None = None
    ) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        self.source = source
        super().__init__(self.render(), code="import_refused")

    def lines(self, language: str = DEFAULT_LANGUAGE) -> list[str]:
        """Return the kept errors, one line each, in ``language``."""
        return [str(render(error, language)) for error in self.errors]

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return how the file was read, the number of errors and the kept ones."""
        more = self.total - len(self.errors)
        summary = _ln(
            "{count} erreur, rien n'a été importé :",
            "{count} erreurs, rien n'a été importé :",
            self.total,
        )
        lines = self.lines(language)
        if more > 0:
            lines.append(_l("… et {more} de plus", more=more).render(language))
        reading = _reading(self.source, [])
        head = [reading.render(language)] if reading is not None else []
        return "\n".join([*head, summary.render(language), *lines])


class ErrorList:
    """Collects errors, keeping the first :data:`MAX_REPORTED_ERRORS` and counting the rest.

    ``columns`` maps the column names the rules use to the names written in the file's
    header (``Site`` for ``site``), so that each error names the column as the user sees it.
    """

    def __init__(self, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.limit = limit
        self.kept: list[Message] = []
        self.count = 0
        self.columns: dict[str, str] = {}
        self.source: Message | None = None

    def add(self, line: int, column: str | None, reason: Message | str) -> None:
        """Record one error at ``line`` (1 is the header) and ``column``."""
        self.count += 1
        if len(self.kept) < self.limit:
            if column:
                name = self.columns.get(column, column)
                where = _l(
                    "ligne {line}, colonne {column} : {reason}",
                    column=name,
                    line=line,
                    reason=reason,
                )
            else:
                where = _l("ligne {line} : {reason}", line=line, reason=reason)
            self.kept.append(where)

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        """Raise :class:`ImportRefused` when anything was recorded."""
        if self.count:
            raise ImportRefused(self.kept, self.count, self.source)


EMPTY = _l("vide")


def not_a_code(value: str) -> Message:
    """The error of a cell that should hold a code."""
    return _l("« {value} » n'est pas un code (a-z, 0-9, - et _)", value=value)


def duplicate_of(line: int) -> Message:
    """The error of a row that repeats an earlier one."""
    return _l("doublon de la ligne {other}", other=line)


def check_header(
    header: list[str],
    required: tuple[str, ...],
    errors: ErrorList,
    allowed: set[str] | None = None,
    unknown: Message | None = None,
) -> bool:
    """Record missing, duplicated and (when ``allowed`` is given) unknown header columns;
    ``unknown`` is the reason given for an unknown column (by default « colonne inconnue »)."""
    ok = True
    for column in required:
        if column not in header:
            errors.add(1, column, _l("colonne manquante"))
            ok = False
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.add(1, column, _l("colonne présente deux fois"))
            ok = False
        seen.add(column)
        if allowed is not None and column not in allowed and column not in required:
            errors.add(1, column, unknown or _l("colonne inconnue"))
            ok = False
    return ok


# JJ/MM/AAAA, optionally followed by HH:MM or HH:MM:SS (also 10h15).
FRENCH_DATE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{2,4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?\Z"
)


def _french(value: str) -> datetime | None:
    """Return the naive date and time of a ``JJ/MM/AAAA [HH:MM[:SS]]`` cell, None when the
    cell is not written that way; raise :class:`CellError` when it could be read two ways."""
    match = FRENCH_DATE.match(value)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    if len(year) != 4:
        raise CellError(
            _l(
                "« {value} » : l'année doit avoir quatre chiffres (JJ/MM/AAAA), "
                "« {year} » pourrait être 19{year} ou 20{year}",
                value=value,
                year=year,
            )
        )
    if int(month) > 12 and int(day) <= 12:
        raise CellError(
            _l(
                "« {value} » se lit mois avant jour (MM/JJ/AAAA) ; Avis lit les "
                "dates JJ/MM/AAAA : écrivez {day}/{month}/{year}",
                value=value,
                day=month.zfill(2),
                month=day.zfill(2),
                year=year,
            )
        )
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        raise CellError(_l("« {value} » n'est pas une date qui existe", value=value)) from None


def local_time(naive: datetime, timezone: str, value: str) -> datetime:
    """Return ``naive`` as the site's local time; raise :class:`CellError` when that time
    happened twice (the hour repeated when clocks go back) or never (the hour skipped)."""
    zone = ZoneInfo(timezone)
    first = naive.replace(tzinfo=zone)
    if first.utcoffset() == naive.replace(tzinfo=zone, fold=1).utcoffset():
        return first
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise CellError(
            _l(
                "« {value} » n'existe pas à l'heure locale du site (l'heure sautée "
                "au passage à l'heure d'été)",
                value=value,
            )
        )
    raise CellError(
        _l(
            "« {value} » a eu lieu deux fois à l'heure locale du site (passage à "
            "l'heure d'hiver) : ajoutez le décalage, par exemple "
            "2026-10-25T02:30:00+02:00 ou +01:00",
            value=value,
        )
    )


class DateReader:
    """Reads the date cells of one file, ISO 8601 or French, and remembers whether French
    dates were read, so that the import can say so (:attr:`note`)."""

    def __init__(self) -> None:
        self.french = False

    def datetime(self, value: str, timezone: str) -> datetime:
        """Return an aware datetime from ISO 8601 or ``JJ/MM/AAAA [HH:MM]``; without an
        offset it is the site's local time."""
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _french(text)
            if parsed is None:
                raise CellError(
                    _l(
                        "« {value} » n'est pas une date et heure (JJ/MM/AAAA HH:MM, "
                        "ou AAAA-MM-JJTHH:MM:SS+01:00)",
                        value=value,
                    )
                ) from None
            self.french = True
        if parsed.tzinfo is None:
            parsed = local_time(parsed, timezone, text)
        return parsed

    def date(self, value: str) -> date:
        """Return a date from ``AAAA-MM-JJ`` or ``JJ/MM/AAAA`` (a time after it is ignored)."""
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            parsed = _french(text)
        if parsed is None:
            raise CellError(
                _l("« {value} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ)", value=value)
            )
        self.french = True
        return parsed.date()

    @property
    def note(self) -> Message | None:
        """The sentence saying how French dates were read, when the file had some."""
        if not self.french:
            return None
        return _l("dates JJ/MM/AAAA lues jour, mois, année, à l'heure locale du site")


def parse_datetime(value: str, timezone: str) -> datetime:
    """Return an aware datetime from ISO 8601 or ``JJ/MM/AAAA [HH:MM]`` (the site's local
    time when there is no offset)."""
    return DateReader().datetime(value, timezone)


def parse_date(value: str) -> date:
    """Return a date from ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``."""
    return DateReader().date(value)


def parse_rating(value: str) -> int | None:
    """Return a rating 1–5, or None for an empty cell."""
    value = value.strip()
    if not value:
        return None
    try:
        rating = int(value)
    except ValueError:
        raise CellError(
            _l("la note « {value} » n'est pas un nombre entier de 1 à 5", value=value)
        ) from None
    if not 1 <= rating <= 5:
        raise CellError(_l("la note {rating} n'est pas entre 1 et 5", rating=rating))
    return rating


def format_datetime(value: datetime, timezone: str) -> str:
    """Return ``value`` as ISO-8601 in the site's local time, to the second, with its offset."""
    return value.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")
