"""Register indicators of the demo: the months of 2022 for the three Hauts-de-Seine sites,
drawn so that the year (or the quarter the minutes quote) comes out at the seed's figures.

Seed 003 gives: information emails answered in a mean of 1.28 working days at Antony, 1.80
at Boulogne and 3 at Nanterre, 82.7 %, 80.4 % and 24.8 % of them within 5 working days;
93 % of calls answered over the year and 95 % in the fourth quarter; every website update
made within 3 working days (1,375 updates); 340 PAN visits a month; in the fourth quarter,
24 days to issue an identity card or passport, 33 a driving licence, 8 a registration
certificate; the Services Publics+ diagnostic at 61.6 % on average, engagement 6 the
highest (86 %) and engagement 4 the lowest (30.6 %).
"""

# ruff: noqa: S311  -- demo data drawn from a seeded generator on purpose, not secrets

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..indicators import store_value
from ..models import Indicator, IndicatorValue, Site
from .actions import build_demo_actions

YEAR = 2022
Q4 = (10, 11, 12)

# site -> indicator -> (figure over the year, monthly count around which the weights vary,
# how far a month strays from the figure, as a fraction of it)
YEARLY = {
    "92-nanterre": {
        "info_email_delay": (3.0, 310, 0.2),
        "info_email_in_time": (0.248, 310, 0.15),
    },
    "92-antony": {
        "info_email_delay": (1.28, 70, 0.2),
        "info_email_in_time": (0.827, 70, 0.06),
        "calls_answered": (0.93, 820, 0.03),
    },
    "92-boulogne": {
        "info_email_delay": (1.80, 55, 0.2),
        "info_email_in_time": (0.804, 55, 0.06),
        "calls_answered": (0.93, 610, 0.03),
    },
}
# Nanterre's calls: 93 % over the year, 95 % over the fourth quarter (the poster's figure).
CALLS_NANTERRE = (0.93, 0.95, 3440)
# The fourth quarter's mean issuance delays (days), handled at the préfecture.
ISSUANCE_Q4 = {
    "issuance_delay_id": 24.0,
    "issuance_delay_licence": 33.0,
    "issuance_delay_registration": 8.0,
}
WEBSITE_UPDATES = 1375
PAN_VISITS_PER_MONTH = 340
# The diagnostic, in November: nine attainments whose mean is 61.6 %.
DIAGNOSTIC_MONTH = 11
ENGAGEMENTS = {1: 0.72, 2: 0.58, 3: 0.55, 4: 0.306, 5: 0.68, 6: 0.86, 7: 0.64, 8: 0.61, 9: 0.598}


def _weighted(
    rng: random.Random, figure: float, base: int, spread: float, months=range(1, 13)
) -> dict[int, tuple[float, int]]:
    """Return month -> (value, count) whose mean weighted by count is ``figure``."""
    counts = {m: max(1, round(base * rng.uniform(0.8, 1.2))) for m in months}
    raw = {m: figure * (1 + rng.uniform(-spread, spread)) for m in months}
    total = sum(counts.values())
    shift = figure - sum(raw[m] * counts[m] for m in months) / total
    return {m: (raw[m] + shift, counts[m]) for m in months}


def _calls_nanterre(rng: random.Random) -> dict[int, tuple[float, int]]:
    year_rate, q4_rate, base = CALLS_NANTERRE
    q4 = _weighted(rng, q4_rate, base, 0.01, Q4)
    rest_months = [m for m in range(1, 13) if m not in Q4]
    rest = _weighted(rng, year_rate, base, 0.02, rest_months)
    q4_weight = sum(count for _value, count in q4.values())
    rest_weight = sum(count for _value, count in rest.values())
    # The other months make up the difference so that the whole year is at 93 %.
    rest_rate = (year_rate * (q4_weight + rest_weight) - q4_rate * q4_weight) / rest_weight
    shift = rest_rate - year_rate
    return {**q4, **{m: (value + shift, count) for m, (value, count) in rest.items()}}


def _months(rng: random.Random) -> dict[tuple[str, str], dict[int, tuple[float, int | None]]]:
    values: dict[tuple[str, str], dict[int, tuple[float, int | None]]] = {}
    for site_code, indicators in YEARLY.items():
        for code, (figure, base, spread) in indicators.items():
            values[(site_code, code)] = _weighted(rng, figure, base, spread)
    values[("92-nanterre", "calls_answered")] = _calls_nanterre(rng)
    for code, figure in ISSUANCE_Q4.items():
        q4 = {m: (value, None) for m, (value, _c) in _weighted(rng, figure, 1, 0.1, Q4).items()}
        others = {m: (figure * rng.uniform(0.9, 1.4), None) for m in range(1, 10)}
        values[("92-nanterre", code)] = {**others, **q4}
    updates = [rng.randint(90, 140) for _ in range(11)]
    updates.append(WEBSITE_UPDATES - sum(updates))
    values[("92-nanterre", "website_updates_in_time")] = {
        m: (1.0, count) for m, count in enumerate(updates, start=1)
    }
    visits = [round(PAN_VISITS_PER_MONTH * rng.uniform(0.85, 1.15)) for _ in range(11)]
    visits.append(PAN_VISITS_PER_MONTH * 12 - sum(visits))
    values[("92-nanterre", "pan_visits")] = {
        m: (float(count), None) for m, count in enumerate(visits, start=1)
    }
    for number, rate in ENGAGEMENTS.items():
        values[("92-nanterre", f"sp_engagement_{number}")] = {DIAGNOSTIC_MONTH: (rate, None)}
    return values


def build_demo_indicators(session: Session, sites: dict[str, Site]) -> int:
    """Store the 2022 register values of the demo's sites not yet stored; return how many
    were added (a second build adds none)."""
    indicators = {i.code: i for i in session.scalars(select(Indicator))}
    # A value already there (perhaps corrected by hand in the grid) is left as it is.
    stored = set(
        session.execute(
            select(IndicatorValue.site_id, IndicatorValue.indicator_id, IndicatorValue.month)
        ).all()
    )
    added = 0
    for (site_code, code), months in _months(random.Random("demo-indicators-2022")).items():
        site, indicator = sites.get(site_code), indicators.get(code)
        if site is None or indicator is None:
            continue
        for month, (value, count) in sorted(months.items()):
            value = round(value, 4)
            if indicator.kind == "rate":
                value = min(1.0, max(0.0, value))
            if (site.id, indicator.id, date(YEAR, month, 1)) in stored:
                continue
            store_value(session, site.id, indicator, date(YEAR, month, 1), value, count)
            added += 1
    session.flush()
    return added


def build_demo_bilan(session: Session, sites: dict[str, Site]) -> int:
    """Store what the demo's CLU bilan needs beyond responses and réclamations — the 2022
    register values and the 2022 and 2023 action plans — when missing; return how many
    rows were added."""
    return build_demo_indicators(session, sites) + build_demo_actions(session, sites)
