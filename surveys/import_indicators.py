"""Import of the register indicators' monthly values from CSV (DESIGN.md):
``site,indicator,month,value,count`` — ``month`` as ``YYYY-MM``, ``value`` a fraction for a
rate (0.93), ``count`` optional (the weight of a rate or a mean: calls received...).

Every line is checked before anything is kept (a bad line refuses the file, named by line
and column). A line whose value is the stored one changes nothing; a new value for a stored
site, indicator and month replaces it, and the result lists each replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from . import DomainError
from .csvformat import CsvFile, ErrorList, ImportResult, Progress, check_header
from .indicators import check_value, parse_count, parse_month, parse_number, store_value
from .models import Indicator, IndicatorValue, Site

INDICATOR_REQUIRED = ("site", "indicator", "month", "value")
INDICATOR_COLUMNS = (*INDICATOR_REQUIRED, "count")


@dataclass
class IndicatorImportResult(ImportResult):
    """The counts of :class:`ImportResult` and one line per replaced value
    (``92-nanterre calls_answered 2022-03: 0.91 replaced by 0.93``)."""

    replaced: list[str] = field(default_factory=list)


def _parse_row(line: int, row: dict[str, str], lookups: dict, errors: ErrorList) -> tuple | None:
    """Return (site id, indicator, month, value, count), or None after recording errors."""
    before = errors.count
    site_code = row["site"].strip()
    site_id = lookups["sites"].get(site_code)
    if site_id is None:
        errors.add(line, "site", f"unknown site {site_code!r}")
    code = row["indicator"].strip()
    indicator = lookups["indicators"].get(code)
    if indicator is None:
        errors.add(line, "indicator", f"unknown indicator {code!r}")
    month = value = count = None
    for column in ("month", "value", "count"):
        try:
            if column == "month":
                month = parse_month(row["month"])
            elif column == "value":
                value = parse_number(row["value"])
                if indicator is not None:
                    check_value(indicator, value)
            else:
                count = parse_count(row.get("count", ""))
        except DomainError as error:
            errors.add(line, column, error.message)
    if errors.count != before:
        return None
    return site_id, indicator, month, value, count


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def import_indicators(
    session: Session, path: str | Path, progress: Progress | None = None
) -> IndicatorImportResult:
    """Check and store the monthly values of a CSV file; return the counts and replacements.

    Raises :class:`~surveys.csvformat.ImportRefused` listing the bad lines (nothing stored).
    """
    errors = ErrorList()
    source = CsvFile(path, errors)
    if source.header is not None:
        check_header(source.header, INDICATOR_REQUIRED, errors)
        for column in source.header:
            if column not in INDICATOR_COLUMNS:
                errors.add(1, column, f"unknown column ({', '.join(INDICATOR_COLUMNS)})")
    errors.raise_if_any()
    lookups = {
        "sites": dict(session.execute(select(Site.code, Site.id)).all()),
        "indicators": {i.code: i for i in session.scalars(select(Indicator))},
    }
    result = IndicatorImportResult()
    seen: dict[tuple, int] = {}
    rows: list[tuple[int, tuple]] = []
    for line, row in source.rows():
        result.read += 1
        parsed = _parse_row(line, row, lookups, errors)
        if progress:
            progress(1)
        if parsed is None:
            continue
        key = (parsed[0], parsed[1].id, parsed[2])
        first = seen.setdefault(key, line)
        if first != line:
            errors.add(line, "month", f"the same site, indicator and month as line {first}")
            continue
        rows.append((line, parsed))
    errors.raise_if_any()
    stored: dict[tuple, IndicatorValue] = {}
    keys = list(seen)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for value in session.scalars(
            select(IndicatorValue).where(
                tuple_(
                    IndicatorValue.site_id, IndicatorValue.indicator_id, IndicatorValue.month
                ).in_(chunk)
            )
        ):
            stored[(value.site_id, value.indicator_id, value.month)] = value
    site_codes = {site_id: code for code, site_id in lookups["sites"].items()}
    for _line, (site_id, indicator, month, value, count) in rows:
        outcome = store_value(
            session,
            site_id,
            indicator,
            month,
            value,
            count,
            stored=stored.get((site_id, indicator.id, month)),
        )
        if outcome.outcome == "created":
            result.created += 1
        elif outcome.outcome == "replaced":
            result.updated += 1
            before = _number(outcome.previous_value)
            if outcome.previous_count != count:
                before += f" (count {_number(outcome.previous_count)})"
            after = _number(value) + (
                f" (count {_number(count)})" if outcome.previous_count != count else ""
            )
            where = f"{site_codes[site_id]} {indicator.code} {month:%Y-%m}"
            result.replaced.append(f"{where}: {before} replaced by {after}")
        else:
            result.unchanged += 1
    session.flush()
    return result
