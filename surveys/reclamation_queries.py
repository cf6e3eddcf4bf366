"""Reading réclamations for the back office: the inbox of a user, limited to their scope
(the site and service a réclamation concerns, or the service it was assigned to)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, or_, select
from sqlalchemy.orm import Session

from .models import Reclamation, User
from .reclamations import expects_reply
from .users import can_see, user_scope

OPEN_STATUSES = ("new", "assigned")
INBOX_LIMIT = 300


def scope_clause(user: User):
    """Return the SQL condition of the réclamations ``user`` may see (None: all)."""
    return user_scope(user).clause(
        Reclamation.site_id, Reclamation.service_id, Reclamation.assigned_service_id
    )


def user_may_see(user: User, rec: Reclamation) -> bool:
    """Return True when ``rec`` is in ``user``'s scope (its service or the assigned one)."""
    return can_see(user, rec.site_id, rec.service_id) or (
        rec.assigned_service_id is not None and can_see(user, rec.site_id, rec.assigned_service_id)
    )


def inbox_query(
    user: User,
    today: date,
    *,
    status: str = "open",
    site_id: int | None = None,
    kind: str | None = None,
    limit: int = INBOX_LIMIT,
) -> Select:
    """Return the select() of ``user``'s inbox: overdue ones first, then by deadline
    (those awaiting no reply last), then by date of receipt. ``status`` is ``open`` (new
    or assigned), ``all`` or one status."""
    query = select(Reclamation)
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if status == "open":
        query = query.where(Reclamation.status.in_(OPEN_STATUSES))
    elif status != "all":
        query = query.where(Reclamation.status == status)
    if site_id is not None:
        query = query.where(Reclamation.site_id == site_id)
    if kind:
        query = query.where(Reclamation.kind == kind)
    awaited = and_(
        Reclamation.kind != "remerciement",
        or_(Reclamation.reply_wanted.is_(True), Reclamation.reply_expected.is_(True)),
        Reclamation.due_on.is_not(None),
    )
    overdue = case(
        (and_(awaited, Reclamation.due_on < today, Reclamation.status.in_(OPEN_STATUSES)), 0),
        else_=1,
    )
    no_deadline = case((awaited, 0), else_=1)
    return query.order_by(
        overdue, no_deadline, Reclamation.due_on, Reclamation.received_on, Reclamation.id
    ).limit(limit)


def inbox(session: Session, user: User, today: date, **filters) -> list[Reclamation]:
    """Return ``user``'s inbox (see :func:`inbox_query`)."""
    return list(session.scalars(inbox_query(user, today, **filters)))


def is_overdue(rec: Reclamation, today: date) -> bool:
    """Return True when ``rec`` awaits a reply past its deadline."""
    return (
        expects_reply(rec)
        and rec.due_on is not None
        and rec.status in OPEN_STATUSES
        and rec.due_on < today
    )


# A reply typed in more than this many working days after the day it was given is listed
# for the mission: its date may be right, but the register was kept late.
LATE_ENTRY_DAYS = 5


def late_reply_entries(
    session: Session, user: User, date_from: date, date_to: date, days: int = LATE_ENTRY_DAYS
) -> list[tuple[Reclamation, date, int]]:
    """Return (réclamation, day typed in, working days late) for the replies given between
    ``date_from`` and ``date_to`` and typed in more than ``days`` working days later, in
    ``user``'s scope, the latest typed first."""
    from .calendar import working_days_between
    from .campaigns import local_date

    query = select(Reclamation).where(
        Reclamation.reply_recorded_at.is_not(None),
        Reclamation.answered_on.between(date_from, date_to),
    )
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    late = []
    for rec in session.scalars(query):
        typed_on = local_date(rec.reply_recorded_at, rec.site.timezone)
        lag = working_days_between(rec.answered_on, typed_on, rec.site.departement)
        if lag > days:
            late.append((rec, typed_on, lag))
    return sorted(late, key=lambda row: (row[1], row[0].id), reverse=True)
