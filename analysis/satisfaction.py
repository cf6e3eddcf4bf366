"""Satisfaction rates per criterion for every site × service, every site and all sites,
with their Wilson interval, the n < 30 flag, targets and the comparison with a previous
period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import (
    CampaignTarget,
    Criterion,
    Questionnaire,
    QuestionnaireItem,
    Service,
    Site,
)

from .counts import RatingCounts, rating_count_rows
from .filters import ReportFilters
from .stats import enough, two_proportion_test, wilson

DEFAULT_TARGET = 0.8


@dataclass
class CriterionInfo:
    id: int
    code: str
    labels: dict
    lower_is_better: bool
    target: float
    position: int

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("fr") or self.code


def questionnaire_for(session: Session, filters: ReportFilters) -> Questionnaire:
    """Return the campaign's questionnaire, or the default one."""
    if filters.campaign is not None:
        return session.get(Questionnaire, filters.campaign.questionnaire_id)
    return session.scalar(select(Questionnaire).where(Questionnaire.is_default.is_(True)))


def criteria_for(session: Session, filters: ReportFilters) -> list[CriterionInfo]:
    """Return every criterion, the questionnaire's first in its order, with its target:
    the campaign's per-criterion target, else the campaign's rate, else the default."""
    questionnaire = questionnaire_for(session, filters)
    positions = {}
    if questionnaire is not None:
        positions = dict(
            session.execute(
                select(QuestionnaireItem.criterion_id, QuestionnaireItem.position).where(
                    QuestionnaireItem.questionnaire_id == questionnaire.id
                )
            ).all()
        )
    targets = {}
    campaign = filters.campaign
    if campaign is not None:
        targets = dict(
            session.execute(
                select(CampaignTarget.criterion_id, CampaignTarget.target_rate).where(
                    CampaignTarget.campaign_id == campaign.id
                )
            ).all()
        )
    result = []
    for c in session.scalars(select(Criterion).order_by(Criterion.id)):
        target = targets.get(c.id) or (campaign.target_rate if campaign else c.default_target)
        result.append(
            CriterionInfo(
                c.id,
                c.code,
                dict(c.labels or {}),
                c.lower_is_better,
                target or DEFAULT_TARGET,
                positions.get(c.id, 1000 + c.id),
            )
        )
    return sorted(result, key=lambda c: c.position)


def threshold_for(session: Session, filters: ReportFilters) -> int:
    """Return the satisfied threshold of the report's questionnaire (default 4)."""
    questionnaire = questionnaire_for(session, filters)
    return questionnaire.satisfied_threshold if questionnaire is not None else 4


def satisfied_count(counts, threshold: int, lower_is_better: bool = False) -> int:
    """How many of the ratings ``counts`` ([r1, r2, r3, r4, r5]: how many 1s, 2s, ...) are
    satisfied: ``threshold`` or more, or for a criterion where lower is better (the felt
    effort) its mirror image. The one definition of "satisfied" of every table and chart."""
    counts = [int(c) for c in counts]
    if lower_is_better:
        # For the felt effort (1 = very easy) the mirror image of the threshold counts as easy.
        return sum(counts[: 6 - threshold])
    return sum(counts[threshold - 1 :])


def _add_counts(level: dict[tuple, list[int]], key: tuple, counts: list[int]) -> None:
    total = level.get(key)
    if total is None:
        level[key] = counts[:]
    else:
        total[0] += counts[0]
        total[1] += counts[1]
        total[2] += counts[2]
        total[3] += counts[3]
        total[4] += counts[4]


def satisfaction_table(
    session: Session,
    filters: ReportFilters,
    counts: RatingCounts | None = None,
    *,
    services: bool = True,
) -> list[dict]:
    """Return one dict per (site, service, criterion) with data, then per (site,
    criterion) with ``service`` None, then per criterion with ``site`` None: site,
    service, criterion, n, satisfied, rate, ci_low, ci_high, and for the readers of the
    other formats: label (dict of labels), mean (out of 5), target, meets_target,
    enough (n ≥ 30), lower_is_better. ``counts`` are those of
    :func:`analysis.counts.rating_count_rows` (read when not given). ``services=False``
    leaves out the per-service rows (the dashboard shows sites and the total only)."""
    counts = rating_count_rows(session, filters) if counts is None else counts
    if not counts:
        return []
    criteria = {c.id: c for c in criteria_for(session, filters)}
    threshold = threshold_for(session, filters)
    sites = dict(session.execute(select(Site.id, Site.code)).all())
    service_codes = dict(session.execute(select(Service.id, Service.code)).all())
    by_service: dict[tuple, list[int]] = {}
    by_site: dict[tuple, list[int]] = {}
    by_criterion: dict[tuple, list[int]] = {}
    for (site_id, service_id, criterion_id), values in counts.items():
        site, service = sites[site_id], service_codes[service_id]
        if services:
            _add_counts(by_service, (site, service, criterion_id), values)
        _add_counts(by_site, (site, None, criterion_id), values)
    for (_site, _none, criterion_id), values in by_site.items():
        _add_counts(by_criterion, (None, None, criterion_id), values)
    levels = [by_service, by_site, by_criterion] if services else [by_site, by_criterion]
    rows = []
    for level in levels:
        # Each level in the order of its keys, as a group-by gives them (a level's keys
        # hold None at the same places, so tuples compare without ordering None).
        for key in sorted(level):
            rows.append(_row(key[0], key[1], level[key], threshold, criteria[key[2]]))
    rows.sort(key=_order)
    return rows


def _row(
    site: str | None, service: str | None, counts: list[int], threshold: int, c: CriterionInfo
) -> dict:
    n = counts[0] + counts[1] + counts[2] + counts[3] + counts[4]
    satisfied = satisfied_count(counts, threshold, c.lower_is_better)
    score = counts[0] + 2 * counts[1] + 3 * counts[2] + 4 * counts[3] + 5 * counts[4]
    rate = satisfied / n if n else None
    low, high = wilson(satisfied, n)
    return {
        "site": site,
        "service": service,
        "criterion": c.code,
        "n": n,
        "satisfied": satisfied,
        "rate": rate,
        "ci_low": low,
        "ci_high": high,
        "mean": score / n if n else None,
        "label": c.labels,
        "target": c.target,
        "meets_target": None if rate is None else rate >= c.target,
        "enough": enough(n),
        "lower_is_better": c.lower_is_better,
        "position": c.position,
    }


def _order(row: dict) -> tuple:
    return (
        row["site"] is None,
        row["site"] or "",
        row["service"] is not None,
        row["service"] or "",
        row["position"],
    )


def compare(current: list[dict], previous: list[dict]) -> list[dict]:
    """Return, for each row of ``current`` also in ``previous``, the difference in points,
    the p-value of the two-proportion test and whether it is beyond chance (p < 0.05);
    ``shown`` is False (and the difference None) when either side has fewer than 30."""
    before = {(r["site"], r["service"], r["criterion"]): r for r in previous}
    result = []
    for row in current:
        old = before.get((row["site"], row["service"], row["criterion"]))
        entry = {
            "site": row["site"],
            "service": row["service"],
            "criterion": row["criterion"],
            "rate": row["rate"],
            "n": row["n"],
            "previous_rate": old["rate"] if old else None,
            "previous_n": old["n"] if old else 0,
            "difference_points": None,
            "p_value": None,
            "significant": None,
            "shown": False,
        }
        if old and enough(row["n"]) and enough(old["n"]):
            diff, _, p_value = two_proportion_test(
                row["satisfied"], row["n"], old["satisfied"], old["n"]
            )
            entry.update(
                difference_points=round(diff * 100, 1),
                p_value=p_value,
                significant=p_value < 0.05,
                shown=True,
            )
        result.append(entry)
    return result
