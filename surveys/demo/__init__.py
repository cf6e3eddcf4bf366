"""The Hauts-de-Seine demo (seed 003): three sites, the yearly satisfaction campaigns of
2021 and 2022 on the minutes' dates and respondents per service, tablets, one user per role,
two years of réclamations at the published 2022 figures and their 2021 comparison, and a
lighter stream of recent activity up to today. Larger volumes are the benchmarks' business
(``bench/``), not the demo's.

Everything is drawn from seeded random generators and keyed by stable ids (uuid5 response
ids, ``92-2022-NNNNNN`` references, uuid5 client ids for recent réclamations), so building
twice stores nothing new; a later run only adds the recent days not yet covered.

Its parts: ``setting`` (sites, campaigns, tablets, users), ``responses``,
``reclamations``, ``indicators`` and ``actions`` (the CLU bilan), ``text`` (what usagers
write), ``guard`` (whether a database is the demo's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from .indicators import build_demo_bilan
from .reclamations import build_recent_reclamations, build_year_reclamations
from .responses import ResponseMaker, build_recent_responses, build_year_responses, store_new
from .setting import (
    PARIS,
    RECENT_DAYS,
    SITES,
    USERS,
    ensure_campaigns,
    ensure_sites,
    ensure_tablets,
    ensure_users,
)

__all__ = ["SITES", "USERS", "DemoSummary", "build_demo", "ensure_sites"]


@dataclass
class DemoSummary:
    """What :func:`build_demo` found or made, for the command to print."""

    responses_created: int = 0
    reclamations_created: int = 0
    users: list[tuple[str, str, str, str]] = field(default_factory=list)
    tablets: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    recent_from: date | None = None
    recent_to: date | None = None
    open_reclamations: int = 0
    overdue_reclamations: int = 0


def build_demo(session: Session, scale: float = 1.0, now: datetime | None = None) -> DemoSummary:
    """Build (or complete) the demo in ``session``'s database; return what was made.

    ``scale`` shrinks or grows the response volumes (tests use a small one); the
    réclamation counts are the seed's at any scale.
    """
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    summary = DemoSummary(recent_from=today - timedelta(days=RECENT_DAYS), recent_to=today)
    sites = ensure_sites(session)
    ensure_campaigns(session, sites, scale)
    summary.tablets = ensure_tablets(session, sites)
    summary.users = ensure_users(session)
    maker = ResponseMaker(session, sites)
    rows = build_year_responses(session, maker, scale, 2021)
    rows += build_year_responses(session, maker, scale, 2022)
    rows += build_recent_responses(session, maker, scale, today, now)
    summary.responses_created = store_new(session, rows)
    summary.reclamations_created = build_year_reclamations(session, sites, 2021)
    summary.reclamations_created += build_year_reclamations(session, sites, 2022)
    build_demo_bilan(session, sites)
    created, open_count, overdue = build_recent_reclamations(session, sites, now, RECENT_DAYS)
    summary.reclamations_created += created
    summary.open_reclamations, summary.overdue_reclamations = open_count, overdue
    session.flush()
    return summary
