"""The action plans as the CLU report will show them: the year's plan with what was done,
and the next year's plan (codes for programs; the report names them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from surveys.models import Action, Site


def _row(action: Action) -> dict:
    return {
        "site": action.site.code,
        "service": action.service.code if action.service else None,
        "year": action.year,
        "title": action.title,
        "owner": action.owner,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "status": action.status,
        "status_on": action.status_on.isoformat(),
        "answers": {
            "criteria": list(action.answers.get("criteria", [])),
            "categories": list(action.answers.get("categories", [])),
        },
    }


def action_plan_rows(
    session: Session, year: int, sites: Sequence[str] | None = None
) -> dict[str, list[dict]]:
    """Return ``{"plan": [...], "next": [...]}``: the actions of ``year``'s plans and of the
    next year's, by site code and title, each a dict of codes and ISO dates; ``sites``
    limits to those site codes."""
    query = (
        select(Action)
        .join(Site, Site.id == Action.site_id)
        .options(joinedload(Action.site), joinedload(Action.service))
        .where(Action.year.in_([year, year + 1]))
        .order_by(Site.code, Action.year, Action.title, Action.id)
    )
    if sites is not None:
        query = query.where(Site.code.in_(list(sites)))
    rows: dict[str, list[dict]] = {"plan": [], "next": []}
    for action in session.scalars(query).unique():
        rows["plan" if action.year == year else "next"].append(_row(action))
    return rows


def answering(rows: Sequence[dict], kind: str) -> dict[str, list[dict]]:
    """Return the action rows (of :func:`action_plan_rows`) by the code of each criterion
    (``kind`` "criteria") or réclamation category ("categories") they answer."""
    found: dict[str, list[dict]] = {}
    for row in rows:
        for code in row["answers"].get(kind, []):
            found.setdefault(code, []).append(row)
    return found


def concerns(row: dict, site: str | None, service: str | None) -> bool:
    """Whether an action row belongs beside the figures of ``site`` and ``service`` (None:
    every site, the whole site): an action of the whole site goes beside each service."""
    if site is None:
        return True
    if row["site"] != site:
        return False
    return service is None or row["service"] in (None, service)


def done_in_period(session: Session, site: str, date_from: date, date_to: date) -> list[dict]:
    """Return the site's actions marked done (``realisee``) on a day of the period, the
    latest first, as rows of :func:`action_plan_rows`."""
    query = (
        select(Action)
        .join(Site, Site.id == Action.site_id)
        .options(joinedload(Action.site), joinedload(Action.service))
        .where(
            Site.code == site,
            Action.status == "realisee",
            Action.status_on >= date_from,
            Action.status_on <= date_to,
        )
        .order_by(Action.status_on.desc(), Action.title, Action.id)
    )
    return [_row(action) for action in session.scalars(query).unique()]
