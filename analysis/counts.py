"""Counts of ratings from the monthly tallies, plus the raw answers of partial months.

Whole local months inside the period are read from the tallies; the days of a partial
month at either end are counted from the answers, per time zone, so the result always
equals a count of the raw answers while its cost grows with the number of groups.

``rating_count_rows`` works without pandas: the JSON report (``avis report --format json``,
the API) needs nothing else, and importing pandas costs a noticeable share of its CPU.
The frames of the other functions import it when they are called.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from surveys.models import (
    Answer,
    Criterion,
    HourTally,
    MixTally,
    RatingTally,
    Response,
    Service,
    Site,
)
from surveys.tallies import COUNTS, plain_tuples

from .filters import ReportFilters

if TYPE_CHECKING:
    import pandas as pd

# (site_id, service_id, criterion_id) -> [r1, r2, r3, r4, r5]
RatingCounts = dict[tuple[int, int, int], list[int]]
_RATING_GROUPS = ["site_id", "service_id", "criterion_id"]


def _month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def split_period(date_from: date, date_to: date) -> tuple[tuple[date, date] | None, list]:
    """Return ((first month, last month) of the whole months inside the period, or None)
    and the list of (from, to) day ranges left over at either end."""
    first = date_from if date_from.day == 1 else _month_after(date_from)
    last_end = (
        date_to
        if _month_after(date_to) - timedelta(days=1) == date_to
        else (date_to.replace(day=1) - timedelta(days=1))
    )
    if first > last_end:
        return None, [(date_from, date_to)]
    edges = []
    if date_from < first:
        edges.append((date_from, first - timedelta(days=1)))
    if last_end < date_to:
        edges.append((last_end + timedelta(days=1), date_to))
    return (first, last_end.replace(day=1)), edges


def _site_ids(session: Session, filters: ReportFilters) -> dict[int, tuple[str, str]]:
    query = select(Site.id, Site.code, Site.timezone)
    if filters.site_codes:
        query = query.where(Site.code.in_(filters.site_codes))
    return {row.id: (row.code, row.timezone) for row in session.execute(query)}


def _conditions(session: Session, filters: ReportFilters, site_col, service_col, campaign_col):
    conditions = []
    if filters.site_codes:
        conditions.append(site_col.in_(list(_site_ids(session, filters))))
    if filters.service_codes:
        ids = session.scalars(select(Service.id).where(Service.code.in_(filters.service_codes)))
        conditions.append(service_col.in_(list(ids)))
    if filters.campaign is not None:
        conditions.append(campaign_col == filters.campaign.id)
    if (
        filters.scope is not None
        and (clause := filters.scope.clause(site_col, service_col)) is not None
    ):
        conditions.append(clause)
    return conditions


def _month_range(session: Session, model, months: tuple[date, date]) -> list:
    if session.get_bind().dialect.name != "sqlite":
        return [model.month >= months[0], model.month <= months[1]]
    # SQLite's planner would take the (month, ...) unique index for the range and then sort
    # every row to group them; hiding the column from it (``month || ''``) lets it stream
    # the covering index that is already in group order (``bench/report.py`` measures it).
    month = type_coerce(model.month, String).concat("")
    return [month >= months[0].isoformat(), month <= months[1].isoformat()]


def _tally_query(session, model, groups: list[str], counts: list[str], filters, months):
    columns = [getattr(model, name) for name in groups]
    return (
        select(*columns, *[func.sum(getattr(model, name)).label(name) for name in counts])
        .where(
            *_month_range(session, model, months),
            *_conditions(session, filters, model.site_id, model.service_id, model.campaign_id),
        )
        .group_by(*columns)
    )


def _tally_frame(session, model, groups: list[str], counts: list[str], filters, months):
    import pandas as pd

    query = _tally_query(session, model, groups, counts, filters, months)
    return pd.DataFrame(plain_tuples(session.execute(query)), columns=[*groups, *counts])


def local_days(ranges: list[tuple[date, date]]):
    """The condition "answered on one of these local days" (inclusive ranges), on the day
    each response carries in its site's calendar (``surveys.tallies.local_buckets``)."""
    return or_(*(Response.local_day.between(start, end) for start, end in ranges))


def _raw_where(session, filters, ranges):
    return and_(
        local_days(ranges),
        Response.flag.is_(None),  # flagged responses are kept but left out, as in the tallies
        *_conditions(session, filters, Response.site_id, Response.service_id, Response.campaign_id),
    )


def _combine(frames: list[pd.DataFrame], groups: list[str], counts: list[str]) -> pd.DataFrame:
    import pandas as pd

    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=[*groups, *counts])
    frame = pd.concat(frames, ignore_index=True)
    frame[counts] = frame[counts].astype("int64")
    return frame.groupby(groups, as_index=False)[counts].sum()


def rating_count_rows(session: Session, filters: ReportFilters) -> RatingCounts:
    """Return {(site_id, service_id, criterion_id): [r1, r2, r3, r4, r5]}: how many
    ratings of each value every criterion received per site and service over the filters
    (plain Python: a year is some 16,000 keys)."""
    result: RatingCounts = {}
    months, edges = split_period(filters.date_from, filters.date_to)
    if months:
        query = _tally_query(session, RatingTally, _RATING_GROUPS, list(COUNTS), filters, months)
        # Core rows: the ORM's row processing would cost more than the sums (16,000 rows).
        for site_id, service_id, criterion_id, *values in session.connection().execute(query):
            key = (site_id, service_id, criterion_id)
            counts = result.get(key)
            if counts is None:
                result[key] = [int(value) for value in values]
            else:
                for index, value in enumerate(values):
                    counts[index] += int(value)
    if edges:
        query = (
            select(Response.site_id, Response.service_id, Answer.criterion_id, Answer.rating)
            .add_columns(func.count().label("n"))
            .join(Response, Response.id == Answer.response_id)
            .where(_raw_where(session, filters, edges))
            .group_by(Response.site_id, Response.service_id, Answer.criterion_id, Answer.rating)
        )
        for site_id, service_id, criterion_id, rating, n in session.execute(query):
            if 1 <= rating <= 5:
                counts = result.setdefault((site_id, service_id, criterion_id), [0] * 5)
                counts[rating - 1] += int(n)
    return result


def rating_counts(session: Session, filters: ReportFilters) -> pd.DataFrame:
    """Return a frame (site_id, service_id, criterion_id, r1..r5), sorted by the first
    three: :func:`rating_count_rows` as a frame."""
    import pandas as pd

    rows = rating_count_rows(session, filters)
    if not rows:
        return pd.DataFrame(columns=[*_RATING_GROUPS, *COUNTS])
    return pd.DataFrame(
        [(*key, *values) for key, values in sorted(rows.items())],
        columns=[*_RATING_GROUPS, *COUNTS],
    )


# The tallies' group columns, as the responses carry them.
_RAW_GROUPS = {
    "weekday": Response.local_weekday,
    "hour": Response.local_hour,
    "channel": Response.channel,
    "language": Response.language,
    "site_id": Response.site_id,
    "service_id": Response.service_id,
}


def _raw_volume(session, filters, edges, groups: list[str]) -> pd.DataFrame:
    """Responses of the partial days grouped as the hour and channel tallies group them:
    how many, and the ratings pooled over the criteria where higher is better."""
    import pandas as pd

    columns = [_RAW_GROUPS[name].label(name) for name in groups]
    pooled = Criterion.pooled()
    query = (
        select(
            *columns,
            func.count(func.distinct(Response.id)).label("responses"),
            *[
                func.sum(case((and_(Answer.rating == value, pooled), 1), else_=0)).label(name)
                for value, name in enumerate(COUNTS, 1)
            ],
        )
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .outerjoin(Criterion, Criterion.id == Answer.criterion_id)
        .where(_raw_where(session, filters, edges))
        .group_by(*columns)
    )
    return pd.DataFrame(
        plain_tuples(session.execute(query)), columns=[*groups, "responses", *COUNTS]
    )


def _volume(session, filters, model, groups: list[str]) -> pd.DataFrame:
    counts = ["responses", *COUNTS]
    months, edges = split_period(filters.date_from, filters.date_to)
    frames = []
    if months:
        frames.append(_tally_frame(session, model, groups, counts, filters, months))
    if edges:
        frames.append(_raw_volume(session, filters, edges, groups))
    return _combine(frames, groups, counts)


def hour_counts(session: Session, filters: ReportFilters) -> pd.DataFrame:
    """Return a frame (weekday 0=Monday, hour, responses, r1..r5) in each site's local time,
    the ratings pooled over the criteria where higher is better."""
    return _volume(session, filters, HourTally, ["weekday", "hour"])


def mix_counts(session: Session, filters: ReportFilters) -> pd.DataFrame:
    """Return a frame (channel, language, responses, r1..r5), the ratings pooled over the
    criteria where higher is better."""
    return _volume(session, filters, MixTally, ["channel", "language"])


def response_counts(session: Session, filters: ReportFilters) -> pd.DataFrame:
    """Return a frame (site_id, service_id, responses) of responses received."""
    frame = _volume(session, filters, MixTally, ["site_id", "service_id"])
    return frame[["site_id", "service_id", "responses"]]


def monthly_counts(session: Session, filters: ReportFilters) -> pd.DataFrame:
    """Return a frame (month, criterion_id, r1..r5): ratings per local month of the period,
    all selected sites and services together."""
    import pandas as pd

    groups = ["criterion_id", "month"]
    months, edges = split_period(filters.date_from, filters.date_to)
    frames = []
    if months:
        frames.append(_tally_frame(session, RatingTally, groups, list(COUNTS), filters, months))
    for start, end in edges:
        part = ReportFilters(
            start, end, filters.site_codes, filters.service_codes, filters.campaign, filters.scope
        )
        counts = rating_counts(session, part)
        if not counts.empty:
            frame = counts.groupby("criterion_id", as_index=False)[list(COUNTS)].sum()
            frame["month"] = start.replace(day=1)
            frames.append(frame)
    result = _combine(frames, groups, list(COUNTS))
    if not result.empty:
        result["month"] = pd.to_datetime(result["month"]).dt.date
    return result
