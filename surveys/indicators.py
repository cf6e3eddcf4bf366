"""Register indicators: reading their cells and storing their monthly values per site.

A value is kept per (site, indicator, month); storing another value for a stored month
replaces it, storing the same one changes nothing. A rate is a fraction in [0, 1]
(0.93 for 93 %), a mean or a count is zero or more; ``count``, when given, is the number
of things the month's rate or mean is made of (calls received, emails answered).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import DomainError
from .csvformat import CODE_RE
from .models import INDICATOR_KINDS, INDICATOR_UNITS, Indicator, IndicatorValue

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# Larger than any monthly figure a préfecture reports (calls, visits, updates).
MAX_VALUE = 1e9


def parse_month(text: str) -> date:
    """Return the first day of the month written ``YYYY-MM``; raise DomainError otherwise."""
    match = MONTH_RE.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise DomainError(f"{text.strip()!r} is not a month (YYYY-MM)", "month", "month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_number(text: str) -> float:
    """Return the number written in ``text`` (a decimal point or a French decimal comma)."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        raise DomainError(f"{text.strip()!r} is not a number", "value", "number") from None
    if not math.isfinite(number):
        raise DomainError(f"{text.strip()!r} is not a number", "value", "number")
    return number


def parse_count(text: str) -> int | None:
    """Return the whole number of ``text``, or None for an empty cell."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise DomainError(f"{text.strip()!r} is not a whole number of 0 or more", "count", "count")
    count = int(cleaned)
    if count > MAX_VALUE:
        raise DomainError(f"{count} is too large", "count", "count")
    return count


def check_value(indicator: Indicator, value: float) -> None:
    """Raise DomainError when ``value`` cannot be a month's value of ``indicator``."""
    if value < 0:
        raise DomainError("a value is zero or more", "value", "negative")
    if indicator.kind == "rate" and value > 1:
        raise DomainError(
            f"{indicator.code} is a rate: a fraction from 0 to 1 (0.93 for 93 %)",
            "value",
            "rate",
        )
    if value > MAX_VALUE:
        raise DomainError(f"{value} is too large", "value", "large")


@dataclass(frozen=True)
class Stored:
    """What :func:`store_value` did: ``created``, ``replaced``, ``unchanged`` or ``removed``,
    and the value and count stored before (None when there was none)."""

    outcome: str
    previous_value: float | None = None
    previous_count: int | None = None


# The default of store_value's ``stored``: look the month's row up.
LOOKUP = object()


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def store_value(
    session: Session,
    site_id: int,
    indicator: Indicator,
    month: date,
    value: float | None,
    count: int | None = None,
    stored: IndicatorValue | None | object = LOOKUP,
) -> Stored:
    """Keep ``value`` (None: remove the month's value) for the site, indicator and month.

    ``stored`` is the month's row, or None when there is none, when the caller already
    looked it up (a bulk import, a grid); by default it is looked up here.
    """
    month = month.replace(day=1)
    if stored is LOOKUP:
        stored = session.scalar(
            select(IndicatorValue).where(
                IndicatorValue.site_id == site_id,
                IndicatorValue.indicator_id == indicator.id,
                IndicatorValue.month == month,
            )
        )
    if value is None:
        if stored is None:
            return Stored("unchanged")
        session.delete(stored)
        return Stored("removed", stored.value, stored.count)
    check_value(indicator, value)
    if stored is None:
        session.add(
            IndicatorValue(
                site_id=site_id, indicator_id=indicator.id, month=month, value=value, count=count
            )
        )
        return Stored("created")
    if _same(stored.value, value) and stored.count == count:
        return Stored("unchanged", stored.value, stored.count)
    previous = Stored("replaced", stored.value, stored.count)
    stored.value, stored.count = value, count
    return previous


def create_indicator(
    session: Session,
    *,
    code: str,
    labels: dict[str, str],
    kind: str,
    unit: str,
    target: float | None,
    higher_is_better: bool,
    on_poster: bool = False,
) -> Indicator:
    """Add an indicator of the mission's own after the others (``on_poster``: shown on
    the transparency poster); raise DomainError (a code
    taken or malformed, no French name, an unknown kind or unit, a rate's target outside
    [0, 1])."""
    code = code.strip()
    if not CODE_RE.match(code):
        raise DomainError("Invalid code.", "code", "invalid_code")
    if session.scalar(select(Indicator.id).where(Indicator.code == code)) is not None:
        raise DomainError("This code exists already.", "code", "duplicate")
    labels = {lang: text.strip()[:300] for lang, text in labels.items() if text and text.strip()}
    if "fr" not in labels:
        raise DomainError("The French name is required.", "name_fr", "french_required")
    if kind not in INDICATOR_KINDS:
        raise DomainError("Unknown kind.", "kind", "unknown")
    if unit not in INDICATOR_UNITS:
        raise DomainError("Unknown unit.", "unit", "unknown")
    if target is not None:
        probe = Indicator(code=code, kind=kind)
        try:
            check_value(probe, target)
        except DomainError:
            raise DomainError("Target out of range.", "target", "range") from None
    last = session.scalar(select(func.max(Indicator.position))) or 0
    indicator = Indicator(
        code=code,
        labels=labels,
        kind=kind,
        unit=unit,
        target=target,
        higher_is_better=higher_is_better,
        position=last + 1,
        active=True,
        on_poster=on_poster,
    )
    session.add(indicator)
    session.flush()
    return indicator


def active_indicators(session: Session) -> list[Indicator]:
    """Return the indicators in use, in their order."""
    return list(
        session.scalars(
            select(Indicator)
            .where(Indicator.active.is_(True))
            .order_by(Indicator.position, Indicator.code)
        )
    )


def year_values(session: Session, site_id: int, year: int) -> dict[tuple[str, int], IndicatorValue]:
    """Return the site's values of ``year`` keyed by (indicator code, month number)."""
    rows = session.scalars(
        select(IndicatorValue).where(
            IndicatorValue.site_id == site_id,
            IndicatorValue.month >= date(year, 1, 1),
            IndicatorValue.month <= date(year, 12, 1),
        )
    )
    return {(row.indicator.code, row.month.month): row for row in rows}
