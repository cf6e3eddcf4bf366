"""Action plans: the actions a site sets itself for a year, their owner, due date and
status (prévue, en cours, réalisée, abandonnée, each with the day it was set), and what
each answers — criteria, réclamation categories, or the comments it was born from.

A refused action names its field and its code (``required``, ``too_long``, ``unknown``,
``unknown_service``, ``range``): the back office words it in the agent's language; the
message is a note for a developer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import DomainError
from .i18n import _l
from .models import ACTION_STATUSES, Action, Criterion, ReclamationCategory, Response, Service

MAX_TITLE = 500
MAX_DETAIL = 5000
MAX_OWNER = 200


@dataclass
class ActionInput:
    """What a person types for an action (codes for what it answers)."""

    site_id: int
    year: int
    title: str
    service_id: int | None = None
    detail: str | None = None
    owner: str | None = None
    due_on: date | None = None
    status: str = "prevue"
    criteria: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def _clean(text: str | None, limit: int, name: str, required: bool = False) -> str | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise DomainError(_l("obligatoire"), name, "required")
        return None
    if len(text) > limit:
        raise DomainError(_l("trop long"), name, "too_long")
    return text


def _known(session: Session, model, column, codes: Iterable[str], name: str) -> list[str]:
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not codes:
        return []
    found = set(session.scalars(select(column).where(column.in_(codes))))
    if set(codes) - found:
        raise DomainError(_l("code inconnu"), name, "unknown")
    return codes


def _answers(session: Session, given: ActionInput) -> dict:
    answers = {
        "criteria": _known(session, Criterion, Criterion.code, given.criteria, "criteria"),
        "categories": _known(
            session, ReclamationCategory, ReclamationCategory.code, given.categories, "categories"
        ),
        "comments": _known(session, Response, Response.response_id, given.comments, "comments"),
    }
    return {key: value for key, value in answers.items() if value}


def _check(session: Session, given: ActionInput) -> dict:
    if given.status not in ACTION_STATUSES:
        raise DomainError(_l("statut inconnu"), "status", "unknown")
    if not 2000 <= given.year <= 2100:
        raise DomainError(_l("année hors limites"), "year", "range")
    if given.service_id is not None:
        service = session.get(Service, given.service_id)
        if service is None or service.site_id != given.site_id:
            raise DomainError(_l("service inconnu"), "service_id", "unknown_service")
    return {
        "site_id": given.site_id,
        "service_id": given.service_id,
        "year": given.year,
        "title": _clean(given.title, MAX_TITLE, "title", required=True),
        "detail": _clean(given.detail, MAX_DETAIL, "detail"),
        "owner": _clean(given.owner, MAX_OWNER, "owner"),
        "due_on": given.due_on,
        "status": given.status,
        "answers": _answers(session, given),
    }


def create_action(session: Session, given: ActionInput, today: date) -> Action:
    """Add an action to its site's plan (status set ``today``); raise DomainError."""
    values = _check(session, given)
    action = Action(**values, status_on=today)
    session.add(action)
    session.flush()
    return action


def update_action(session: Session, action: Action, given: ActionInput, today: date) -> list[str]:
    """Change ``action`` to ``given``; return the names of the fields changed (the status's
    day moves to ``today`` when the status changes). The site never changes."""
    values = _check(session, given)
    values.pop("site_id")
    changed = [name for name, value in values.items() if getattr(action, name) != value]
    for name in changed:
        setattr(action, name, values[name])
    if "status" in changed:
        action.status_on = today
    return changed


def site_actions(
    session: Session,
    site_ids: Iterable[int],
    years: Iterable[int] | None = None,
    service_ids: Iterable[int] | None = None,
) -> list[Action]:
    """Return the actions of these sites (and years), by site, year, due date and title;
    ``service_ids`` keeps only the actions of those services."""
    query = select(Action).where(Action.site_id.in_(list(site_ids)))
    if years is not None:
        query = query.where(Action.year.in_(list(years)))
    if service_ids is not None:
        query = query.where(Action.service_id.in_(list(service_ids)))
    query = query.order_by(
        Action.site_id, Action.year, Action.due_on.is_(None), Action.due_on, Action.title, Action.id
    )
    return list(session.scalars(query))
