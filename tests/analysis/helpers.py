"""Storing responses for analysis tests through the one writer every feature uses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Criterion, Questionnaire, Service
from surveys.response_writes import NewResponse, insert_responses


def _ids(db: Session) -> tuple[dict[str, int], int]:
    codes = dict(db.execute(select(Criterion.code, Criterion.id)).all())
    default = db.scalar(select(Questionnaire.id).where(Questionnaire.is_default.is_(True)))
    return codes, default


def new_response(
    db: Session,
    service: Service,
    at: datetime,
    ratings: dict[str, int],
    *,
    channel: str = "kiosk",
    language: str = "fr",
    comment: str | None = None,
    campaign_id: int | None = None,
    questionnaire_id: int | None = None,
) -> NewResponse:
    """Return a NewResponse with ``ratings`` (criterion code -> 1..5)."""
    codes, default = _ids(db)
    return NewResponse(
        response_id=str(uuid.uuid4()),
        site_id=service.site_id,
        service_id=service.id,
        channel=channel,
        language=language,
        submitted_at=at,
        questionnaire_id=questionnaire_id or default,
        ratings={codes[code]: value for code, value in ratings.items()},
        comment=comment,
        campaign_id=campaign_id,
    )


def store(db: Session, service: Service, at: datetime, ratings: dict[str, int], **kw) -> None:
    """Store one response via insert_responses."""
    insert_responses(db, [new_response(db, service, at, ratings, **kw)])


def store_many(db: Session, service: Service, at: datetime, code: str, ratings: list[int]) -> None:
    """Store one response per rating in ``ratings`` for criterion ``code``, in one batch."""
    insert_responses(db, [new_response(db, service, at, {code: value}) for value in ratings])
