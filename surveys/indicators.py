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
from .csvformat import CODE_RE, CellError, DateReader
from .i18n import _l
from .models import INDICATOR_KINDS, INDICATOR_UNITS, Indicator, IndicatorValue

# AAAA-MM, or MM/AAAA as a French user writes a month.
MONTH_RE = re.compile(
    r"^(?:(?P<year>\d{4})-(?P<month>\d{1,2})|(?P<fmonth>\d{1,2})/(?P<fyear>\d{4}))$"
)
# Larger than any monthly figure a préfecture reports (calls, visits, updates).
MAX_VALUE = 1e9


def _not_a_month(text: str) -> DomainError:
    return DomainError(
        _l("« {value} » n'est pas un mois (AAAA-MM ou MM/AAAA)", value=text), "month", "month"
    )


def parse_month(text: str) -> date:
    """Return the first day of the month written ``AAAA-MM`` or ``MM/AAAA``, or given as the
    date of its first day (a workbook keeps a month typed in a cell as that date); raise
    DomainError otherwise."""
    text = text.strip()
    match = MONTH_RE.match(text)
    if match is None:
        try:
            first = DateReader().date(text)
        except CellError:
            raise _not_a_month(text) from None
        if first.day != 1:
            raise _not_a_month(text)
        year, month = first.year, first.month
    else:
        year = int(match.group("year") or match.group("fyear"))
        month = int(match.group("month") or match.group("fmonth"))
    if not 1 <= month <= 12 or year < 1900:
        raise _not_a_month(text)
    return date(year, month, 1)


def parse_number(text: str) -> float:
    """Return the number written in ``text`` (a decimal point or a French decimal comma)."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise DomainError(
            _l("« {value} » n'est pas un nombre", value=text.strip()), "value", "number"
        )
    return number


def parse_value(indicator: Indicator, text: str, *, bare_is_percent: bool = False) -> float:
    """Return the value of ``indicator`` written in ``text``, checked.

    A rate is stored as a fraction (0.93). Written with a percent sign ("93 %", "93%",
    "93,5 %") it is a percentage wherever it is typed; a bare number is a fraction in a CSV
    file (the import contract) and a percentage in the back office's grid, whose column
    says "%" (``bare_is_percent``). Any other indicator refuses a percent sign."""
    cleaned = text.strip().replace("\u00a0", " ")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
        if indicator.kind != "rate":
            raise DomainError(
                _l("« {value} » n'est pas un nombre", value=text.strip()), "value", "number"
            )
    value = parse_number(cleaned)
    if indicator.kind == "rate" and (percent or bare_is_percent):
        value = value / 100
    check_value(indicator, value)
    return value


def parse_count(text: str) -> int | None:
    """Return the whole number of ``text``, or None for an empty cell."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    # "²" is a digit to str.isdigit() but no number to int(): plain ASCII digits only.
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise DomainError(
            _l("« {value} » n'est pas un nombre entier positif ou nul", value=text.strip()),
            "count",
            "count",
        )
    # int() refuses more than 4,300 digits: far past MAX_VALUE anyway.
    if len(cleaned) > 18 or int(cleaned) > MAX_VALUE:
        raise DomainError(_l("{value} est trop grand", value=cleaned[:20]), "count", "count")
    return int(cleaned)


def check_value(indicator: Indicator, value: float) -> None:
    """Raise DomainError when ``value`` cannot be a month's value of ``indicator``."""
    if value < 0:
        raise DomainError(_l("une valeur est positive ou nulle"), "value", "negative")
    if indicator.kind == "rate" and value > 1:
        raise DomainError(
            _l(
                "{indicator} est un taux : une fraction de 0 à 1 (0,93 pour 93 %)",
                indicator=indicator.code,
            ),
            "value",
            "rate",
        )
    if value > MAX_VALUE:
        raise DomainError(_l("{value} est trop grand", value=value), "value", "large")


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
        raise DomainError(
            _l("Code invalide : lettres minuscules, chiffres, tirets et soulignés."),
            "code",
            "invalid_code",
        )
    if session.scalar(select(Indicator.id).where(Indicator.code == code)) is not None:
        raise DomainError(_l("Ce code existe déjà."), "code", "duplicate")
    labels = {lang: text.strip()[:300] for lang, text in labels.items() if text and text.strip()}
    if "fr" not in labels:
        raise DomainError(
            _l("Le libellé en français est obligatoire."), "name_fr", "french_required"
        )
    if kind not in INDICATOR_KINDS:
        raise DomainError(_l("Type d'indicateur inconnu."), "kind", "unknown")
    if unit not in INDICATOR_UNITS:
        raise DomainError(_l("Unité inconnue."), "unit", "unknown")
    if target is not None:
        probe = Indicator(code=code, kind=kind)
        try:
            check_value(probe, target)
        except DomainError:
            raise DomainError(_l("Cible hors des bornes."), "target", "range") from None
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
