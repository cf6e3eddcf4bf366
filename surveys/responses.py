"""Writing responses. Every writer (API, tablets, paper entry, imports, demo) stores
responses through :func:`insert_responses`, so anything kept in step with the answers
(aggregates, counters) has exactly one place to hook in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .models import Answer, Response, utcnow


@dataclass
class NewResponse:
    """A validated response ready to store; ``ratings`` maps criterion id -> 1..5."""

    response_id: str
    site_id: int
    service_id: int
    channel: str
    language: str
    submitted_at: datetime
    questionnaire_id: int
    ratings: dict[int, int] = field(default_factory=dict)
    comment: str | None = None
    campaign_id: int | None = None
    tablet_id: int | None = None
    finished: bool = True
    received_at: datetime | None = None


def insert_responses(session: Session, rows: list[NewResponse]) -> dict[str, int]:
    """Insert ``rows`` and their answers in bulk; return response_id -> primary key.

    The caller has validated the rows and checked that their ids are new; the unique
    constraint on ``response_id`` still refuses a duplicate that slips through a race.
    """
    if not rows:
        return {}
    now = utcnow()
    session.execute(
        insert(Response),
        [
            {
                "response_id": r.response_id,
                "site_id": r.site_id,
                "service_id": r.service_id,
                "channel": r.channel,
                "language": r.language,
                "submitted_at": r.submitted_at,
                "received_at": r.received_at or now,
                "questionnaire_id": r.questionnaire_id,
                "campaign_id": r.campaign_id,
                "tablet_id": r.tablet_id,
                "comment": r.comment,
                "finished": r.finished,
            }
            for r in rows
        ],
    )
    ids = dict(
        session.execute(
            select(Response.response_id, Response.id).where(
                Response.response_id.in_([r.response_id for r in rows])
            )
        ).all()
    )
    answers = [
        {"response_id": ids[r.response_id], "criterion_id": criterion_id, "rating": rating}
        for r in rows
        for criterion_id, rating in r.ratings.items()
    ]
    if answers:
        session.execute(insert(Answer), answers)
    # The monthly tallies that reports read are kept in the same transaction.
    from .tallies import add_to_tallies

    add_to_tallies(session, rows, ids)
    return ids
