"""The usagers' free-text comments of a period with the ratings that came with them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import Answer, Criterion, Response, Service, Site

from .counts import _conditions, local_days
from .filters import ReportFilters


def _overall_rating():
    return (
        select(Answer.rating)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(Answer.response_id == Response.id, Criterion.code == "overall")
        .correlate(Response)
        .limit(1)
        .scalar_subquery()
    )


def _mean_rating():
    # The felt effort (lower is better) would pull the mean the wrong way: left out.
    return (
        select(func.avg(Answer.rating))
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(Answer.response_id == Response.id, Criterion.pooled())
        .correlate(Response)
        .scalar_subquery()
    )


def _period_query(session: Session, filters: ReportFilters, columns, search: str | None):
    query = select(*columns).where(
        Response.comment.is_not(None),
        Response.comment != "",
        local_days([(filters.date_from, filters.date_to)]),
        *_conditions(session, filters, Response.site_id, Response.service_id, Response.campaign_id),
    )
    if search:
        query = query.where(func.lower(Response.comment).contains(search.lower()))
    return query


def comment_count(
    session: Session,
    filters: ReportFilters,
    *,
    max_rating: int | None = None,
    search: str | None = None,
) -> int:
    """Return how many responses of the period came with a comment (those with an overall
    rating of at most ``max_rating``, those containing ``search``, when given)."""
    query = _period_query(session, filters, [func.count(Response.id)], search)
    if query is None:
        return 0
    if max_rating is not None:
        query = query.where(_overall_rating() <= max_rating)
    return int(session.scalar(query) or 0)


def _ratings(session: Session, response_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return the ratings of each of ``response_ids``, by criterion code."""
    ratings: dict[int, dict[str, int]] = {}
    if not response_ids:
        return ratings
    for response_id, code, rating in session.execute(
        select(Answer.response_id, Criterion.code, Answer.rating)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .where(Answer.response_id.in_(response_ids))
        .order_by(Answer.response_id, Criterion.id)
    ):
        ratings.setdefault(response_id, {})[code] = rating
    return ratings


def comments(
    session: Session,
    filters: ReportFilters,
    *,
    limit: int = 200,
    offset: int = 0,
    max_rating: int | None = None,
    search: str | None = None,
) -> list[dict]:
    """Return the comments of the period, ranked by the overall rating that came with them
    (lowest first), then by the mean of the other ratings (lowest first), then the newest;
    those without an overall rating come after. Dicts with submitted_at, site, service,
    channel, language, comment, overall (rating or None), mean (of the ratings given, the
    felt effort left out, or None), lowest and ratings (criterion code -> rating).
    ``max_rating`` keeps those whose overall rating is at most that; ``search`` keeps
    those containing the text (case-insensitive)."""
    overall = _overall_rating()
    mean = _mean_rating()
    lowest = (
        select(func.min(Answer.rating))
        .where(Answer.response_id == Response.id)
        .correlate(Response)
        .scalar_subquery()
    )
    query = _period_query(
        session,
        filters,
        [
            Response.id,
            Response.submitted_at,
            Site.code,
            Service.code,
            Response.channel,
            Response.language,
            Response.comment,
            overall,
            mean,
            lowest,
        ],
        search,
    )
    if query is None:
        return []
    query = query.join(Site, Site.id == Response.site_id).join(
        Service, Service.id == Response.service_id
    )
    if max_rating is not None:
        query = query.where(overall <= max_rating)
    query = (
        query.order_by(
            overall.is_(None), overall, mean.is_(None), mean, Response.submitted_at.desc()
        )
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(query).all()
    ratings = _ratings(session, [row[0] for row in rows])
    return [_comment(row, ratings.get(row[0], {})) for row in rows]


def _comment(row, ratings: dict[str, int]) -> dict:
    return {
        "submitted_at": row[1],
        "site": row[2],
        "service": row[3],
        "channel": row[4],
        "language": row[5],
        "comment": row[6],
        "overall": row[7],
        "mean": None if row[8] is None else float(row[8]),
        "lowest": row[9],
        "ratings": ratings,
    }
