"""The usagers' free-text comments of a period with the ratings that came with them."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from surveys.models import Answer, Criterion, Response, Service, Site

from .counts import _conditions, _utc_ranges
from .filters import ReportFilters


def comments(
    session: Session,
    filters: ReportFilters,
    *,
    limit: int = 200,
    offset: int = 0,
    max_rating: int | None = None,
    search: str | None = None,
) -> list[dict]:
    """Return the comments of the period, those with the lowest rating first (then the
    newest): dicts with submitted_at, site, service, channel, language, comment,
    lowest (the lowest rating given, or None) and ratings (criterion code -> rating).
    ``max_rating`` keeps those whose lowest rating is at most that; ``search`` keeps
    those containing the text (case-insensitive)."""
    result = []
    lowest = (
        select(func.min(Answer.rating))
        .where(Answer.response_id == Response.id)
        .correlate(Response)
        .scalar_subquery()
    )
    wheres = []
    for site_ids, low, high in _utc_ranges(
        session, filters, [(filters.date_from, filters.date_to)]
    ):
        wheres.append(
            and_(
                Response.site_id.in_(site_ids),
                Response.submitted_at >= low,
                Response.submitted_at < high,
            )
        )
    if not wheres:
        return []
    query = (
        select(
            Response.id,
            Response.submitted_at,
            Site.code,
            Service.code,
            Response.channel,
            Response.language,
            Response.comment,
            lowest,
        )
        .join(Site, Site.id == Response.site_id)
        .join(Service, Service.id == Response.service_id)
        .where(
            Response.comment.is_not(None),
            Response.comment != "",
            or_(*wheres),
            *_conditions(
                session, filters, Response.site_id, Response.service_id, Response.campaign_id
            ),
        )
    )
    if max_rating is not None:
        query = query.where(lowest <= max_rating)
    if search:
        query = query.where(func.lower(Response.comment).contains(search.lower()))
    query = (
        query.order_by(lowest.is_(None), lowest, Response.submitted_at.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(query).all()
    ratings: dict[int, dict[str, int]] = {}
    if rows:
        for response_id, code, rating in session.execute(
            select(Answer.response_id, Criterion.code, Answer.rating)
            .join(Criterion, Criterion.id == Answer.criterion_id)
            .where(Answer.response_id.in_([row[0] for row in rows]))
        ):
            ratings.setdefault(response_id, {})[code] = rating
    for row in rows:
        result.append(
            {
                "submitted_at": row[1],
                "site": row[2],
                "service": row[3],
                "channel": row[4],
                "language": row[5],
                "comment": row[6],
                "lowest": row[7],
                "ratings": ratings.get(row[0], {}),
            }
        )
    return result
