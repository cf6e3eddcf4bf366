"""Administration of the configuration: campaigns and tablets (sites and services:
``surveys.sites``; criteria and questionnaires: ``surveys.questionnaires``). Each operation
checks its input and raises ``DomainError`` (with the field at fault) rather than storing
something wrong; the caller commits and writes the audit entry."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from . import DomainError
from .calendar import local_today
from .fields import clean_code, clean_name
from .models import (
    Campaign,
    CampaignScope,
    CampaignTarget,
    Criterion,
    Questionnaire,
    Response,
    Service,
    Site,
    Tablet,
    utcnow,
)
from .questionnaires import publish_questionnaire

# --- campaigns ----------------------------------------------------------------------------


def save_campaign(
    session: Session,
    campaign: Campaign | None,
    *,
    code: str,
    name: str,
    questionnaire_id: int,
    starts_on: date,
    ends_on: date,
    target_n: int,
    target_rate: float,
    scopes: list[tuple[int, int | None]],
    targets: dict[int, float] | None = None,
    french_fallback: bool = False,
) -> Campaign:
    """Create (``campaign`` None) or update a campaign and return it.

    The period is ordered, the scope names existing sites and services, the target rates
    are fractions in (0, 1], and a campaign that has started keeps its questionnaire. A
    draft questionnaire is published from the campaign's first day (see
    ``surveys.questionnaires.publish_questionnaire``; ``french_fallback`` as there).
    """
    code = clean_code(code)
    other = session.scalar(select(Campaign).where(Campaign.code == code))
    if other is not None and other is not campaign:
        raise DomainError("duplicate code", field="code", code="duplicate")
    questionnaire = session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise DomainError("unknown questionnaire", field="questionnaire", code="unknown")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on < starts_on:
        raise DomainError("end before start", field="ends_on", code="dates_order")
    if not 0 <= target_n <= 1_000_000:
        raise DomainError("target out of range", field="target_n", code="range")
    if not 0 < target_rate <= 1:
        raise DomainError("rate out of range", field="target_rate", code="range")
    if not scopes:
        raise DomainError("scope required", field="scopes", code="required")
    for site_id, service_id in scopes:
        site = session.get(Site, site_id)
        service = session.get(Service, service_id) if service_id is not None else None
        if site is None or (
            service_id is not None and (service is None or service.site_id != site_id)
        ):
            raise DomainError("unknown site or service", field="scopes", code="unknown")
    for criterion_id, rate in (targets or {}).items():
        if session.get(Criterion, criterion_id) is None:
            raise DomainError("unknown criterion", field="targets", code="unknown")
        if not 0 < rate <= 1:
            raise DomainError("rate out of range", field="targets", code="range")
    if campaign is None:
        campaign = Campaign(code=code)
        session.add(campaign)
    elif (
        campaign.questionnaire_id != questionnaire_id
        and campaign.starts_on <= local_today()
        and session.scalar(select(exists().where(Response.campaign_id == campaign.id)))
    ):
        raise DomainError("campaign has responses", field="questionnaire", code="frozen")
    campaign.code = code
    campaign.name = clean_name(name)
    campaign.questionnaire_id = questionnaire_id
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.target_n = target_n
    campaign.target_rate = target_rate
    wanted = set(dict.fromkeys(scopes))
    campaign.scopes = [s for s in campaign.scopes if (s.site_id, s.service_id) in wanted] + [
        CampaignScope(site_id=site_id, service_id=service_id)
        for site_id, service_id in dict.fromkeys(scopes)
        if (site_id, service_id) not in {(s.site_id, s.service_id) for s in campaign.scopes}
    ]
    by_criterion = {t.criterion_id: t for t in campaign.targets}
    kept = []
    for criterion_id, rate in (targets or {}).items():
        target = by_criterion.get(criterion_id) or CampaignTarget(criterion_id=criterion_id)
        target.target_rate = rate
        kept.append(target)
    campaign.targets = kept
    publish_questionnaire(questionnaire, starts_on, french_fallback=french_fallback)
    session.flush()
    return campaign


# --- tablets ------------------------------------------------------------------------------


def rename_tablet(tablet: Tablet, name: str) -> None:
    """Give a tablet a new name (as shown in the back office)."""
    tablet.name = clean_name(name)


def move_tablet(tablet: Tablet, service: Service) -> None:
    """Attach a tablet to another service (of any site); its next responses go there."""
    if tablet.revoked_at is not None:
        raise DomainError("tablet revoked", field="service", code="revoked")
    if not service.active or not service.site.active:
        raise DomainError("service not in use", field="service", code="inactive")
    tablet.site_id = service.site_id
    tablet.service_id = service.id


def revoke_tablet(tablet: Tablet) -> None:
    """Withdraw a tablet's credentials: it can no longer send responses or enrol."""
    if tablet.revoked_at is None:
        tablet.revoked_at = utcnow()
    tablet.token_hash = None
    tablet.enrolment_code_hash = None
    tablet.enrolment_expires_at = None


# Criteria and questionnaires live in ``surveys.questionnaires``; these names stay importable
# from here for the callers written before the move.
from .questionnaires import (  # noqa: E402, F401
    create_criterion,
    create_questionnaire,
    edit_questionnaire,
    has_responses,
    update_criterion,
)
