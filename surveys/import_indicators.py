"""Import of the register indicators' monthly values from CSV or XLSX (DESIGN.md; the file
read by ``surveys.sheets``): ``site,indicator,month,value,count`` — ``month`` as ``YYYY-MM``
(also ``MM/AAAA``, or the date of the month's first day), ``value`` a fraction for a rate
(0.93, or 0,93), ``count`` optional (the weight of a rate or a mean: calls received...).

Every line is checked before anything is kept (a bad line refuses the file, named by line
and column). A line whose value is the stored one changes nothing; a new value for a stored
site, indicator and month replaces it, and the result lists each replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from . import DomainError
from .csvformat import ErrorList, ImportResult, Progress, check_header
from .i18n import Message, _l
from .indicators import (
    Stored,
    parse_count,
    parse_month,
    parse_number,
    parse_value,
    store_value,
)
from .models import Indicator, IndicatorValue, Site
from .sheets import Table, open_table

INDICATOR_REQUIRED = ("site", "indicator", "month", "value")
INDICATOR_COLUMNS = (*INDICATOR_REQUIRED, "count")


@dataclass
class IndicatorImportResult(ImportResult):
    """The counts of :class:`ImportResult` and one sentence per replaced value
    (``92-nanterre calls_answered 2022-03 : 0,91 remplacé par 0,93``)."""

    replaced: list[Message] = field(default_factory=list)


def _parse_row(line: int, row: dict[str, str], lookups: dict, errors: ErrorList) -> tuple | None:
    """Return (site id, indicator, month, value, count), or None after recording errors."""
    before = errors.count
    site_code = row["site"].strip()
    site_id = lookups["sites"].get(site_code)
    if site_id is None:
        errors.add(line, "site", _l("site inconnu « {value} »", value=site_code))
    code = row["indicator"].strip()
    indicator = lookups["indicators"].get(code)
    if indicator is None:
        errors.add(line, "indicator", _l("indicateur inconnu « {value} »", value=code))
    month = value = count = None
    for column in ("month", "value", "count"):
        try:
            if column == "month":
                month = parse_month(row["month"])
            elif column == "value":
                value = (
                    parse_value(indicator, row["value"])
                    if indicator is not None
                    else parse_number(row["value"])
                )
            else:
                count = parse_count(row.get("count", ""))
        except DomainError as error:
            errors.add(line, column, error.message)
    if errors.count != before:
        return None
    return site_id, indicator, month, value, count


def _shown(value: float | None, count: int | None, with_count: bool) -> Message | float | str:
    """A stored or imported value as the list of replacements shows it (– for none)."""
    shown = "–" if value is None else value
    if not with_count:
        return shown
    return _l("{value} (nombre {count})", value=shown, count="–" if count is None else count)


def import_indicators(
    session: Session, path: str | Path, progress: Progress | None = None
) -> IndicatorImportResult:
    """Check and store the monthly values of a CSV or XLSX file; return the counts and the
    replacements.

    Raises :class:`~surveys.csvformat.ImportRefused` listing the bad lines (nothing stored).
    """
    errors = ErrorList()
    source = open_table(path, errors)
    if source.header is not None:
        check_header(
            source.header,
            INDICATOR_REQUIRED,
            errors,
            allowed=set(INDICATOR_COLUMNS),
            unknown=_l("colonne inconnue ({known})", known=", ".join(INDICATOR_COLUMNS)),
        )
    errors.raise_if_any()
    lookups = {
        "sites": dict(session.execute(select(Site.code, Site.id)).all()),
        "indicators": {i.code: i for i in session.scalars(select(Indicator))},
    }
    result = IndicatorImportResult(source=source.source)
    rows = _checked_rows(source, lookups, errors, result, progress)
    errors.raise_if_any()
    stored = _stored_values(
        session, [(site_id, indicator.id, month) for site_id, indicator, month, _, _ in rows]
    )
    site_codes = {site_id: code for code, site_id in lookups["sites"].items()}
    for site_id, indicator, month, value, count in rows:
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
            result.replaced.append(
                _replacement(site_codes[site_id], indicator, month, value, count, outcome)
            )
        else:
            result.unchanged += 1
    session.flush()
    return result


def _checked_rows(
    source: Table,
    lookups: dict,
    errors: ErrorList,
    result: IndicatorImportResult,
    progress: Progress | None,
) -> list[tuple]:
    """Return the rows of ``source`` that pass :func:`_parse_row`, counted in
    ``result.read``; a site, indicator and month met twice is an error of its second line."""
    seen: dict[tuple, int] = {}
    rows: list[tuple] = []
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
            errors.add(
                line,
                "month",
                _l("le même site, indicateur et mois qu'à la ligne {other}", other=first),
            )
            continue
        rows.append(parsed)
    return rows


def _stored_values(session: Session, keys: list[tuple]) -> dict[tuple, IndicatorValue]:
    """Return the stored values of ``keys`` (site id, indicator id, month), by key."""
    stored: dict[tuple, IndicatorValue] = {}
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
    return stored


def _replacement(
    site_code: str,
    indicator: Indicator,
    month: date,
    value: float | None,
    count: int | None,
    outcome: Stored,
) -> Message:
    """The sentence that tells a replaced value (with the counts when they changed)."""
    with_count = outcome.previous_count != count
    return _l(
        "{site} {indicator} {month} : {before} remplacé par {after}",
        site=site_code,
        indicator=indicator.code,
        month=f"{month:%Y-%m}",
        before=_shown(outcome.previous_value, outcome.previous_count, with_count),
        after=_shown(value, count, with_count),
    )
