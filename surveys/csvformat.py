"""The CSV formats of DESIGN.md shared by imports and exports, and their cell parsers.

Responses: ``response_id,submitted_at,site,service,channel,language,<criterion codes...>,comment``.
Réclamations: ``reference,kind,channel,site,service,category,received_on,answered_on,
reply_channel,text``. Sites: ``site,site_name,departement,service,service_name``.
UTF-8 (a byte-order mark is accepted on import), comma separated, one header row.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import os
import re
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from . import DomainError

SITE_COLUMNS = ("site", "site_name", "departement", "service", "service_name")
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
    """What an import did: rows read, rows created, updated and left unchanged."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEPARTEMENT_RE = re.compile(r"^(\d{2,3}|2[AB])$")
REFERENCE_RE = re.compile(r"^(\d{2,3}|2[AB])-(\d{4})-(\d{6})$")

# Time zones of the départements outside metropolitan time; the rest is Europe/Paris.
DEPARTEMENT_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}


def timezone_for(departement: str) -> str:
    """Return the IANA time zone of a département (Europe/Paris unless overseas)."""
    return DEPARTEMENT_TIMEZONES.get(departement, "Europe/Paris")


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


class ImportRefused(DomainError):
    """A file refused as a whole; ``errors`` lists ``line N, column COL: reason`` lines."""

    def __init__(self, errors: list[str], total: int | None = None) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        more = self.total - len(errors)
        summary = f"{self.total} error(s), nothing was imported"
        lines = errors + ([f"... and {more} more"] if more > 0 else [])
        super().__init__(summary + ":\n" + "\n".join(lines), code="import_refused")


class ErrorList:
    """Collects errors, keeping the first :data:`MAX_REPORTED_ERRORS` and counting the rest."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.limit = limit
        self.kept: list[str] = []
        self.count = 0

    def add(self, line: int, column: str | None, reason: str) -> None:
        """Record one error at ``line`` (1 is the header) and ``column``."""
        self.count += 1
        if len(self.kept) < self.limit:
            where = f"line {line}, column {column}" if column else f"line {line}"
            self.kept.append(f"{where}: {reason}")

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        """Raise :class:`ImportRefused` when anything was recorded."""
        if self.count:
            raise ImportRefused(self.kept, self.count)


def _readable_twice(path: str | Path) -> str | Path:
    """Return ``path``, or for a pipe (``/dev/stdin``, a FIFO) a temporary copy of what it
    holds: a file is read once for its header and once more for its rows."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return path  # open() will say what is wrong
    if regular:
        return path
    with (
        open(path, "rb") as source,
        tempfile.NamedTemporaryFile(prefix="avis-import.", suffix=".csv", delete=False) as copy,
    ):
        shutil.copyfileobj(source, copy)
    _copies.append(copy.name)
    return copy.name


_copies: list[str] = []


@atexit.register
def _remove_copies() -> None:
    for name in _copies:
        with contextlib.suppress(OSError):
            os.unlink(name)


class CsvFile:
    """A CSV file read as a stream: ``header`` (None when unreadable) and :meth:`rows`.

    Line numbers count physical lines, so a quoted comment spanning lines is reported at the
    line where its row starts. A file that is not UTF-8 stops the reading with one error.
    """

    def __init__(self, path: str | Path, errors: ErrorList) -> None:
        self.path = _readable_twice(path)
        self.errors = errors
        self.header: list[str] | None = None
        path = self.path
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                first = next(csv.reader(handle), None)
        except UnicodeDecodeError:
            errors.add(1, None, "the file is not encoded in UTF-8")
            return
        if first is None:
            errors.add(1, None, "the file is empty (a header row is expected)")
            return
        self.header = [name.strip() for name in first]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line number, row as a dict keyed by header) for every data row."""
        header = self.header
        for line, values in self.lists():
            yield line, dict(zip(header, values, strict=True))

    def lists(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells in the order of the header) for every data row."""
        if self.header is None:
            return
        width = len(self.header)
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            line = 1
            try:
                if next(reader, None) is None:
                    return
                line = reader.line_num + 1
                for values in reader:
                    if len(values) == width:
                        yield line, values
                    elif values and any(v.strip() for v in values):
                        self.errors.add(
                            line, None, f"{len(values)} cells where the header has {width}"
                        )
                    line = reader.line_num + 1
            except UnicodeDecodeError:
                self.errors.add(line, None, "the file is not encoded in UTF-8")
            except csv.Error as error:
                self.errors.add(line, None, f"unreadable CSV ({error})")


def check_header(
    header: list[str], required: tuple[str, ...], errors: ErrorList, allowed: set[str] | None = None
) -> bool:
    """Record missing, duplicated and (when ``allowed`` is given) unknown header columns."""
    ok = True
    for column in required:
        if column not in header:
            errors.add(1, column, "missing column")
            ok = False
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.add(1, column, "column appears twice")
            ok = False
        seen.add(column)
        if allowed is not None and column not in allowed and column not in required:
            errors.add(1, column, "unknown column (not a criterion code)")
            ok = False
    return ok


def parse_uuid(value: str) -> str:
    """Return the canonical form of a UUID cell."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise CellError(f"{value!r} is not a UUID") from None


def parse_datetime(value: str, timezone: str) -> datetime:
    """Return an aware datetime from ISO-8601; without an offset it is the site's local time."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CellError(f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM:SS+01:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed


def parse_date(value: str) -> date:
    """Return a date from ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CellError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_rating(value: str) -> int | None:
    """Return a rating 1–5, or None for an empty cell."""
    value = value.strip()
    if not value:
        return None
    try:
        rating = int(value)
    except ValueError:
        raise CellError(f"rating {value!r} is not a whole number from 1 to 5") from None
    if not 1 <= rating <= 5:
        raise CellError(f"rating {rating} is not between 1 and 5")
    return rating


def format_datetime(value: datetime, timezone: str) -> str:
    """Return ``value`` as ISO-8601 in the site's local time, to the second, with its offset."""
    return value.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")
