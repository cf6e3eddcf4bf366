"""Import of responses (paper questionnaires, history from another tool) from CSV or XLSX.

One pass over the file: each row is checked with cached look-ups
(:class:`surveys.response_rows.RowChecker`); valid rows are stored in chunks through
:class:`surveys.response_bulk.BulkResponseWriter` (the driver's executemany, or COPY on
PostgreSQL) while no error has been seen; at the end the database counts them into the
tallies (one grouping per tally table, in the same transaction). On the first error storing
stops, checking goes on to report every bad line, and the raised
:class:`~surveys.csvformat.ImportRefused` makes the caller roll the whole file back. A
million rows take under three minutes on SQLite (``bench/import_responses.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from .csvformat import (
    RESPONSE_LEADING,
    RESPONSE_TRAILING,
    ErrorList,
    ImportResult,
    Progress,
    check_header,
    duplicate_of,
)
from .i18n import _l
from .response_bulk import BulkResponseWriter
from .response_rows import RowChecker, RowLookups
from .sheets import open_table

CHUNK = 5000


def import_responses(
    session: Session, path: str | Path, progress: Progress | None = None, chunk: int = CHUNK
) -> ImportResult:
    """Check and store the responses of a CSV file; return the counts.

    Raises :class:`~surveys.csvformat.ImportRefused` listing the bad lines; the caller must
    then roll back (rows of the first chunks may already be in the transaction).
    """
    errors = ErrorList()
    source = open_table(path, errors)
    lookups = RowLookups(session)
    if source.header is not None:
        check_header(
            source.header,
            RESPONSE_LEADING[1:] + RESPONSE_TRAILING,
            errors,
            allowed={*lookups.criteria, "response_id"},
            unknown=_l("colonne inconnue (ce n'est pas un code de critère)"),
        )
    errors.raise_if_any()
    checker = RowChecker(source.header, lookups, errors)
    writer = BulkResponseWriter(session, checker.criterion_ids)
    result = ImportResult(source=source.source)
    reported = 0  # rows already counted on the progress bar
    try:
        for pending in _checked_chunks(source.lists(), checker, result, chunk):
            _store_chunk(writer, pending, result, errors)
            if progress:
                progress(result.read - reported)
                reported = result.read
        errors.raise_if_any()
        writer.add_to_tallies(session)
    finally:
        writer.close()
    if checker.dates.note is not None:
        result.notes.append(checker.dates.note)
    return result


def _checked_chunks(
    lines: Iterable[tuple[int, list[str]]], checker: RowChecker, result: ImportResult, chunk: int
) -> Iterator[list[tuple[int, tuple, bytes]]]:
    """Check each row of ``lines`` (line number, cells), counting it in ``result.read``;
    yield the good ones (line, row, ratings) by ``chunk`` in one list, which the caller stores
    before the next row is read, and the rest at the end.
    A ``response_id`` met twice in the file is an error of its second line."""
    errors = checker.errors
    # 16-byte keys keep a million ids in about 100 MB.
    seen: dict[bytes, int] = {}
    pending: list[tuple[int, tuple, bytes]] = []
    for line, values in lines:
        result.read += 1
        checked = checker.check(line, values)
        if checked is None:
            continue
        row, ratings = checked
        first = seen.setdefault(bytes.fromhex(row[0].replace("-", "")), line)
        if first != line:
            errors.add(line, "response_id", duplicate_of(first))
            continue
        pending.append((line, row, ratings))
        if len(pending) >= chunk:
            yield pending
            pending.clear()  # stored: its rows go now, not while the next chunk is checked
    yield pending


def _store_chunk(
    writer: BulkResponseWriter,
    pending: list[tuple[int, tuple, bytes]],
    result: ImportResult,
    errors: ErrorList,
) -> None:
    """Store the rows of ``pending`` not stored yet, while the file has shown no error, and
    count them in ``result``; a stored one with other content is an error of its line."""
    stored = writer.stored([row[0] for _, row, _ in pending])
    fresh, fresh_ratings = [], []
    for line, row, ratings in pending:
        known = stored.get(row[0])
        if known is None:
            fresh.append(row)
            fresh_ratings.append(ratings)
        elif known == writer.content(row, ratings):
            result.unchanged += 1
        else:
            errors.add(line, "response_id", _l("diffère de la réponse déjà enregistrée"))
    if fresh and not errors:
        writer.write(fresh, fresh_ratings)
        result.created += len(fresh)
