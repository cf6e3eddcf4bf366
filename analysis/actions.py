"""The action plans as the CLU report will show them: the year's plan with what was done,
and the next year's plan (codes for programs; the report names them)."""

from __future__ import annotations

from collections.abc import Sequence

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
