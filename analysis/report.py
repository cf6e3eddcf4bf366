"""The campaign report: every table computed once, then written in each format.

``report_json`` is the public contract of DESIGN.md (period, satisfaction, reclamations,
indicators, previous) and nothing more; the other tables (comparisons, effort means, hours,
channels, languages, comments, response counts, action plans) go to the CSV, XLSX, HTML, PDF
and PPTX formats and the dashboard.

The previous period is the same dates one year earlier, or the previous edition of the
report's campaign when it has one (``analysis.filters.previous_campaign``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.calendar import local_today
from surveys.models import Criterion, ReclamationCategory, Service, Site
from surveys.tallies import COUNTS

from .actions import action_plan_rows
from .comments import comment_count
from .comments import comments as period_comments
from .counts import hour_counts, mix_counts, rating_count_rows, response_counts
from .filters import ReportFilters, previous_campaign
from .indicators import IndicatorResult, indicator_results, json_rows
from .reclamations import compare_reclamations, reclamation_indicator_details
from .satisfaction import (
    compare,
    criteria_for,
    satisfaction_table,
    satisfied_count,
    threshold_for,
)
from .stats import enough, wilson

if TYPE_CHECKING:
    import pandas as pd  # the JSON report is computed without it

JSON_SATISFACTION_KEYS = (
    "site",
    "service",
    "criterion",
    "n",
    "satisfied",
    "rate",
    "ci_low",
    "ci_high",
)
JSON_RECLAMATION_KEYS = (
    "site",
    "service",
    "received",
    "answered_in_time",
    "in_time_rate",
    "mean_delay_working_days",
    "by_category",
)


@dataclass
class Report:
    """Every table of one report."""

    filters: ReportFilters
    today: date
    satisfaction: list[dict]
    reclamations: list[dict]
    previous_filters: ReportFilters | None = None
    previous_satisfaction: list[dict] = field(default_factory=list)
    previous_reclamations: list[dict] = field(default_factory=list)
    comparison: list[dict] = field(default_factory=list)
    reclamation_comparison: list[dict] = field(default_factory=list)
    # The previous edition's name when the comparison is with the campaign's last edition.
    comparison_label: str = ""
    heatmap: list[dict] = field(default_factory=list)
    channels: list[dict] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    comments_total: int = 0
    responses: list[dict] = field(default_factory=list)
    criteria: list = field(default_factory=list)
    target_n: int = 0
    site_names: dict = field(default_factory=dict)
    # (site code, service code) -> the service's name
    service_names: dict = field(default_factory=dict)
    categories: list = field(default_factory=list)
    # Every criterion, for the names of those an action answers without ratings this period.
    all_criteria: list = field(default_factory=list)
    # The register indicators of the report's sites, this period and the previous one.
    indicators: list[IndicatorResult] = field(default_factory=list)
    previous_indicators: list[IndicatorResult] = field(default_factory=list)
    # The action plans of the year the period ends in (``plan``) and of the next (``next``).
    plan_year: int = 0
    actions: dict = field(default_factory=lambda: {"plan": [], "next": []})

    @property
    def total_responses(self) -> int:
        return sum(row["responses"] for row in self.responses)


def _pooled(frame: pd.DataFrame, threshold: int, keys: list[str]) -> list[dict]:
    rows = []
    for record in frame.to_dict("records"):
        counts = [record[column] for column in COUNTS]
        n = int(sum(counts))
        # Pooled counts hold only the criteria where higher is better (``Criterion.pooled``).
        satisfied = satisfied_count(counts, threshold)
        low, high = wilson(satisfied, n)
        rows.append(
            {
                **{key: record[key] for key in keys},
                "responses": int(record["responses"]),
                "ratings": n,
                "satisfied": satisfied,
                "rate": satisfied / n if n else None,
                "ci_low": low,
                "ci_high": high,
                "enough": enough(n),
            }
        )
    return rows


def build_report(
    session: Session,
    filters: ReportFilters,
    *,
    today: date | None = None,
    full: bool = True,
    comment_limit: int = 200,
    services: bool = True,
) -> Report:
    """Return the :class:`Report` of ``filters``; with ``full`` False only the JSON
    tables (satisfaction, reclamations) are computed; ``services`` False leaves out the
    per-service satisfaction rows; ``comment_limit`` 0 skips the comments."""
    today = today or local_today()
    counts = rating_count_rows(session, filters)
    satisfaction = satisfaction_table(session, filters, counts, services=services)
    site_codes = _site_codes(session, filters)
    scope = filters.scope

    def reclamation_rows(period: ReportFilters) -> list[dict]:
        return reclamation_indicator_details(
            session,
            period.date_from,
            period.date_to,
            site_codes,
            today,
            scope=scope,
            service_codes=filters.service_codes or None,
            services=services,
        )

    report = Report(filters, today, satisfaction, reclamation_rows(filters))
    before = previous_campaign(session, filters.campaign) if filters.campaign else None
    report.previous_filters = filters.year_before(before)
    report.comparison_label = before.name if before is not None else ""
    report.previous_satisfaction = satisfaction_table(
        session, report.previous_filters, services=services
    )
    report.previous_reclamations = reclamation_rows(report.previous_filters)
    report.comparison = compare(satisfaction, report.previous_satisfaction)
    report.reclamation_comparison = compare_reclamations(
        report.reclamations, report.previous_reclamations
    )
    report.site_names, report.service_names = _names(session)
    report.categories = list(session.scalars(select(ReclamationCategory)))
    report.indicators = indicator_results(session, filters.date_from, filters.date_to, site_codes)
    report.previous_indicators = indicator_results(
        session, report.previous_filters.date_from, report.previous_filters.date_to, site_codes
    )
    if not full:
        return report
    _add_detail(session, report, site_codes, comment_limit)
    return report


def _site_codes(session: Session, filters: ReportFilters) -> list[str] | None:
    """Return the codes of the sites the report covers: those chosen, within the user's
    scope; None for every site."""
    site_codes = filters.site_codes or None
    scope = filters.scope
    if scope is not None and not scope.everything:
        codes = session.scalars(select(Site.code).where(Site.id.in_(scope.site_ids())))
        site_codes = [c for c in codes if not filters.site_codes or c in filters.site_codes]
    return site_codes


def _names(session: Session) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Return the sites' names by code and the services' by (site code, service code)."""
    sites = dict(session.execute(select(Site.code, Site.name)).all())
    services = {
        (site, code): name
        for site, code, name in session.execute(
            select(Site.code, Service.code, Service.name).join(Site, Site.id == Service.site_id)
        )
    }
    return sites, services


def _add_detail(
    session: Session, report: Report, site_codes: list[str] | None, comment_limit: int
) -> None:
    """Fill what only the documents show: criteria, day and hour, channels and languages,
    respondents, action plans and the comments."""
    filters = report.filters
    threshold = threshold_for(session, filters)
    report.criteria = criteria_for(session, filters)
    hours = hour_counts(session, filters)
    report.heatmap = _pooled(hours, threshold, ["weekday", "hour"]) if not hours.empty else []
    mix = mix_counts(session, filters)
    if not mix.empty:
        counts_cols = ["responses", "r1", "r2", "r3", "r4", "r5"]
        by_channel = mix.groupby("channel", as_index=False)[counts_cols].sum()
        by_language = mix.groupby("language", as_index=False)[counts_cols].sum()
        report.channels = _pooled(by_channel, threshold, ["channel"])
        report.languages = _pooled(by_language, threshold, ["language"])
    report.responses = _responses(session, filters)
    report.target_n = filters.campaign.target_n if filters.campaign else 0
    report.all_criteria = list(session.scalars(select(Criterion)))
    report.plan_year = filters.date_to.year
    report.actions = action_plan_rows(session, report.plan_year, site_codes)
    if comment_limit:
        report.comments = period_comments(session, filters, limit=comment_limit)
        report.comments_total = comment_count(session, filters)


def _responses(session: Session, filters: ReportFilters) -> list[dict]:
    frame = response_counts(session, filters)
    sites = dict(session.execute(select(Site.id, Site.code)).all())
    services = dict(session.execute(select(Service.id, Service.code)).all())
    rows = [
        {
            "site": sites[int(r["site_id"])],
            "service": services[int(r["service_id"])],
            "responses": int(r["responses"]),
        }
        for r in frame.to_dict("records")
    ]
    return sorted(rows, key=lambda r: (r["site"], r["service"]))


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _json_satisfaction(rows: list[dict]) -> list[dict]:
    return [
        {
            "site": row["site"],
            "service": row["service"],
            "criterion": row["criterion"],
            "n": row["n"],
            "satisfied": row["satisfied"],
            "rate": _round(row["rate"]),
            "ci_low": _round(row["ci_low"]),
            "ci_high": _round(row["ci_high"]),
        }
        for row in rows
    ]


def _json_reclamations(rows: list[dict]) -> list[dict]:
    return [
        {
            **{key: row[key] for key in JSON_RECLAMATION_KEYS},
            "in_time_rate": _round(row["in_time_rate"]),
            "mean_delay_working_days": _round(row["mean_delay_working_days"], 2),
        }
        for row in rows
    ]


def _period(filters: ReportFilters) -> dict:
    return {"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()}


def report_json(report: Report) -> dict:
    """Return the report JSON exactly as DESIGN.md documents it."""
    document = {
        "period": _period(report.filters),
        "satisfaction": _json_satisfaction(report.satisfaction),
        "reclamations": _json_reclamations(report.reclamations),
        "indicators": json_rows(report.indicators),
    }
    if report.previous_filters is not None:
        document["previous"] = {
            "period": _period(report.previous_filters),
            "satisfaction": _json_satisfaction(report.previous_satisfaction),
            "reclamations": _json_reclamations(report.previous_reclamations),
            "indicators": json_rows(report.previous_indicators),
        }
    return document
