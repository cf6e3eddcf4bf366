"""Paper questionnaires typed in by an agent: one form of a pile, filed like the others.

A paper form carries a date but no time: it is filed at noon of that day in its site's
time zone, under the questionnaire and campaign of that day (``surveys.campaigns``), with
the channel ``paper``. Its ``response_id`` is made by the page the agent types in, so a page
sent twice (a double Enter, a reload) stores the form once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import DomainError
from .campaigns import local_date, questionnaire_and_campaign_for
from .fields import canonical_uuid
from .i18n import _l
from .models import Questionnaire, Response, Service
from .response_writes import NewResponse, insert_responses
from .responses import COMMENT_MAX

PAPER_TIME = time(12, 0)


@dataclass(frozen=True)
class PaperForm:
    """One paper questionnaire as typed: ``ratings`` maps criterion code -> 1..5."""

    response_id: str
    service_id: int
    filled_on: date
    ratings: dict[str, int] = field(default_factory=dict)
    comment: str | None = None
    language: str = "fr"


def paper_time(service: Service, filled_on: date) -> datetime:
    """Return the moment a paper form of ``filled_on`` is filed at (noon, site's time)."""
    return datetime.combine(filled_on, PAPER_TIME, tzinfo=ZoneInfo(service.site.timezone))


def paper_questionnaire(session: Session, service: Service, filled_on: date) -> Questionnaire:
    """Return the questionnaire a paper form of that service and day answers."""
    questionnaire, _campaign = questionnaire_and_campaign_for(
        session, service.site_id, service.id, paper_time(service, filled_on)
    )
    return questionnaire


def store_paper_form(session: Session, form: PaperForm, now: datetime) -> bool:
    """Store ``form`` once; return True when stored now, False when its ``response_id`` was
    already stored (then nothing changes). DomainError names the field at fault: a date
    after today, no rating and no comment, a rating outside 1..5 or a criterion the
    questionnaire of that day does not ask.
    """
    response_id = canonical_uuid(form.response_id)
    if response_id is None:
        raise DomainError(_l("ce n'est pas un UUID"), field="response_id", code="invalid")
    service = session.get(Service, form.service_id)
    if service is None or not service.active:
        raise DomainError(_l("service inconnu"), field="place", code="unknown_service")
    if form.filled_on > local_date(now, service.site.timezone):
        raise DomainError(_l("date dans le futur"), field="filled_on", code="future")
    comment = (form.comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise DomainError(_l("commentaire trop long"), field="comment", code="too_long")
    if not form.ratings and comment is None:
        raise DomainError(_l("formulaire vide"), field="form", code="empty")
    when = paper_time(service, form.filled_on)
    questionnaire, campaign = questionnaire_and_campaign_for(
        session, service.site_id, service.id, when
    )
    asked = {item.criterion.code: item.criterion_id for item in questionnaire.items}
    ratings = {}
    for code, rating in form.ratings.items():
        if code not in asked:
            raise DomainError(_l("critère non demandé"), field=f"rating_{code}", code="unknown")
        if type(rating) is not int or not 1 <= rating <= 5:
            raise DomainError(_l("note hors des bornes"), field=f"rating_{code}", code="range")
        ratings[asked[code]] = rating
    if session.scalar(select(Response.id).where(Response.response_id == response_id)):
        return False
    stored = insert_responses(
        session,
        [
            NewResponse(
                response_id=response_id,
                site_id=service.site_id,
                service_id=service.id,
                channel="paper",
                language=form.language,
                submitted_at=when,
                questionnaire_id=questionnaire.id,
                ratings=ratings,
                comment=comment,
                campaign_id=campaign.id if campaign is not None else None,
                received_at=now,
            )
        ],
        skip_stored=True,
    )
    return response_id in stored
