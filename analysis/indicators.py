"""The register indicators over a period (DESIGN.md): a ``rate`` or a ``mean`` is the mean
of its months weighted by their ``count`` (1 where the count is empty), a ``count`` is the
sum of its months. A month belongs to a period when the period covers any of its days."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Indicator, IndicatorValue, Site


def aggregate(
    kind: str, months: Iterable[tuple[float, int | None]]
) -> tuple[float | None, int | None]:
    """Return (value, count) of the (value, count) pairs of some months of one indicator.

    ``count`` is the sum of the counts given (None when no month has one). For a rate or a
    mean the value is None when every month weighs nothing (counts of 0).
    """
    months = list(months)
    counts = [count for _value, count in months if count is not None]
    total_count = sum(counts) if counts else None
    if not months:
        return None, total_count
    if kind == "count":
        return float(sum(value for value, _count in months)), total_count
    weights = [1 if count is None else count for _value, count in months]
    weight = sum(weights)
    if weight == 0:
        return None, total_count
    return sum(v * w for (v, _c), w in zip(months, weights, strict=True)) / weight, total_count


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator at one site over a period, with what a screen needs to show it."""

    site: str
    indicator: Indicator
    value: float | None
    count: int | None
    months: int

    @property
    def target(self) -> float | None:
        return self.indicator.target

    @property
    def meets_target(self) -> bool | None:
        """True or False against the target; None without a value or a target."""
        return self.indicator.meets_target(self.value)


def indicator_results(
    session: Session,
    date_from: date,
    date_to: date,
    sites: Sequence[str] | None = None,
) -> list[IndicatorResult]:
    """Return one result per site and indicator with values in the period (sites by code,
    indicators in their order); ``sites`` limits to those site codes."""
    query = (
        select(Site.code, IndicatorValue.indicator_id, IndicatorValue.value, IndicatorValue.count)
        .join(Site, Site.id == IndicatorValue.site_id)
        .where(
            IndicatorValue.month >= date_from.replace(day=1),
            IndicatorValue.month <= date_to,
        )
    )
    if sites is not None:
        query = query.where(Site.code.in_(list(sites)))
    grouped: dict[tuple[str, int], list[tuple[float, int | None]]] = {}
    for site_code, indicator_id, value, count in session.execute(query):
        grouped.setdefault((site_code, indicator_id), []).append((value, count))
    indicators = {i.id: i for i in session.scalars(select(Indicator))}
    results = []
    for (site_code, indicator_id), months in grouped.items():
        indicator = indicators[indicator_id]
        value, count = aggregate(indicator.kind, months)
        results.append(IndicatorResult(site_code, indicator, value, count, len(months)))
    results.sort(key=lambda r: (r.site, r.indicator.position, r.indicator.code))
    return results


def json_rows(results: Sequence[IndicatorResult]) -> list[dict]:
    """Return the report JSON's ``indicators`` rows of ``results``:
    ``[{"site": CODE, "indicator": CODE, "value": x, "count": n, "target": t}]``."""
    return [
        {
            "site": result.site,
            "indicator": result.indicator.code,
            "value": None if result.value is None else round(result.value, 4),
            "count": result.count,
            "target": result.target,
        }
        for result in results
    ]


def indicator_rows(
    session: Session,
    date_from: date,
    date_to: date,
    sites: Sequence[str] | None = None,
) -> list[dict]:
    """Return the report JSON's ``indicators`` rows for the period (:func:`json_rows`)."""
    return json_rows(indicator_results(session, date_from, date_to, sites))
