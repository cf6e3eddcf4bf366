"""Storing responses for analysis tests through the one writer every feature uses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from surveys.models import Service
from surveys.responses import NewResponse, insert_responses
from tests.factories import criterion, default_questionnaire


def store(
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
) -> None:
    """Store one response with ``ratings`` (criterion code -> 1..5) via insert_responses."""
    insert_responses(
        db,
        [
            NewResponse(
                response_id=str(uuid.uuid4()),
                site_id=service.site_id,
                service_id=service.id,
                channel=channel,
                language=language,
                submitted_at=at,
                questionnaire_id=questionnaire_id or default_questionnaire(db).id,
                ratings={criterion(db, code).id: value for code, value in ratings.items()},
                comment=comment,
                campaign_id=campaign_id,
            )
        ],
    )


def store_many(db: Session, service: Service, at: datetime, code: str, ratings: list[int]) -> None:
    """Store one response per rating in ``ratings`` for criterion ``code``."""
    for value in ratings:
        store(db, service, at, {code: value})
