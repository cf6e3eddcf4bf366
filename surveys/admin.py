"""Administration of the configuration: sites, services, criteria, questionnaires, campaigns
and tablets. Each operation checks its input and raises ``DomainError`` (with the field at
fault) rather than storing something wrong; the caller commits and writes the audit entry."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import available_timezones

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from . import DomainError
from .calendar import local_today
from .languages import USAGER_LANGUAGES
from .models import (
    Campaign,
    CampaignScope,
    CampaignTarget,
    Criterion,
    Questionnaire,
    QuestionnaireItem,
    Response,
    Service,
    Site,
    Tablet,
    utcnow,
)

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$")


def _code(value: str, field: str = "code") -> str:
    value = (value or "").strip().lower()
    if not CODE.match(value):
        raise DomainError("invalid code", field=field, code="invalid_code")
    return value


def _name(value: str, field: str = "name", limit: int = 200) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise DomainError("required", field=field, code="required")
    if len(value) > limit:
        raise DomainError("too long", field=field, code="too_long")
    return value


def _labels(labels: dict[str, str], field: str) -> dict[str, str]:
    cleaned = {}
    for language, text in labels.items():
        if language not in USAGER_LANGUAGES:
            raise DomainError("unknown language", field=field, code="unknown_language")
        text = " ".join((text or "").split())
        if len(text) > 300:
            raise DomainError("too long", field=field, code="too_long")
        if text:
            cleaned[language] = text
    if "fr" not in cleaned:
        raise DomainError("French label required", field=field, code="french_required")
    return cleaned


# --- sites and services -------------------------------------------------------------------


def create_site(
    session: Session, *, code: str, name: str, departement: str, timezone: str = "Europe/Paris"
) -> Site:
    """Create and return a site; its code is unique and its département a real one."""
    code = _code(code)
    if session.scalar(Site.by_code(code)) is not None:
        raise DomainError("duplicate code", field="code", code="duplicate")
    site = Site(code=code, name=_name(name), departement="", timezone="Europe/Paris")
    update_site(site, name=name, departement=departement, timezone=timezone, active=True)
    session.add(site)
    session.flush()
    return site


def update_site(site: Site, *, name: str, departement: str, timezone: str, active: bool) -> None:
    """Change a site's name, département, time zone and whether it is in use."""
    departement = (departement or "").strip().upper()
    if not DEPARTEMENT.match(departement):
        raise DomainError("unknown département", field="departement", code="invalid")
    if timezone not in available_timezones():
        raise DomainError("unknown time zone", field="timezone", code="invalid")
    site.name = _name(name)
    site.departement = departement
    site.timezone = timezone
    site.active = bool(active)


def create_service(session: Session, site: Site, *, code: str, name: str) -> Service:
    """Create and return a service of ``site``; its code is unique within the site."""
    code = _code(code)
    if session.scalar(Service.by_codes(site.code, code)) is not None:
        raise DomainError("duplicate code", field="code", code="duplicate")
    service = Service(site=site, code=code, name=_name(name))
    session.add(service)
    session.flush()
    return service


def update_service(service: Service, *, name: str, active: bool) -> None:
    """Rename a service or take it out of use (its history stays)."""
    service.name = _name(name)
    service.active = bool(active)


# --- criteria and questionnaires ----------------------------------------------------------


def create_criterion(session: Session, *, code: str, labels: dict[str, str]) -> Criterion:
    """Create and return a criterion with its labels (French required)."""
    code = _code(code)
    if session.scalar(select(Criterion).where(Criterion.code == code)) is not None:
        raise DomainError("duplicate code", field="code", code="duplicate")
    criterion = Criterion(code=code, labels=_labels(labels, "labels"))
    session.add(criterion)
    session.flush()
    return criterion


def update_criterion(criterion: Criterion, *, labels: dict[str, str], active: bool) -> None:
    """Replace a criterion's labels (one per usager language; French required)."""
    criterion.labels = _labels(labels, "labels")
    criterion.active = bool(active)


def has_responses(session: Session, questionnaire: Questionnaire) -> bool:
    """Return True when responses were stored against ``questionnaire`` (it is then frozen)."""
    return bool(
        session.scalar(select(exists().where(Response.questionnaire_id == questionnaire.id)))
    )


def _check_items(session: Session, criterion_ids: list[int]) -> list[int]:
    if not criterion_ids:
        raise DomainError("no criterion", field="criteria", code="required")
    if len(set(criterion_ids)) != len(criterion_ids):
        raise DomainError("criterion twice", field="criteria", code="duplicate")
    found = session.scalars(select(Criterion.id).where(Criterion.id.in_(criterion_ids))).all()
    if len(found) != len(criterion_ids):
        raise DomainError("unknown criterion", field="criteria", code="unknown")
    return criterion_ids


def create_questionnaire(
    session: Session,
    *,
    code: str,
    titles: dict[str, str],
    criterion_ids: list[int],
    satisfied_threshold: int = 4,
) -> Questionnaire:
    """Create and return version 1 of a questionnaire asking ``criterion_ids`` in order."""
    code = _code(code)
    if session.scalar(select(exists().where(Questionnaire.code == code))):
        raise DomainError("duplicate code", field="code", code="duplicate")
    questionnaire = Questionnaire(code=code, version=1)
    _fill_questionnaire(session, questionnaire, titles, criterion_ids, satisfied_threshold)
    session.add(questionnaire)
    session.flush()
    return questionnaire


def _fill_questionnaire(session, questionnaire, titles, criterion_ids, threshold) -> None:
    if threshold not in (3, 4, 5):
        raise DomainError("threshold out of range", field="satisfied_threshold", code="range")
    questionnaire.titles = _labels(titles, "titles")
    questionnaire.satisfied_threshold = threshold
    questionnaire.items = [
        QuestionnaireItem(criterion_id=cid, position=position)
        for position, cid in enumerate(_check_items(session, criterion_ids), start=1)
    ]


def edit_questionnaire(
    session: Session,
    questionnaire: Questionnaire,
    *,
    titles: dict[str, str],
    criterion_ids: list[int],
    satisfied_threshold: int,
) -> Questionnaire:
    """Apply an edit and return the questionnaire that now holds it.

    A questionnaire without responses is edited in place. One with responses is frozen (its
    results must keep meaning what was asked): a new version is created with the edit; it
    takes over the default flag and the campaigns that have not started yet.
    """
    if not has_responses(session, questionnaire):
        questionnaire.items.clear()
        session.flush()
        _fill_questionnaire(session, questionnaire, titles, criterion_ids, satisfied_threshold)
        session.flush()
        return questionnaire
    latest = session.scalar(
        select(func.max(Questionnaire.version)).where(Questionnaire.code == questionnaire.code)
    )
    new = Questionnaire(code=questionnaire.code, version=latest + 1)
    _fill_questionnaire(session, new, titles, criterion_ids, satisfied_threshold)
    session.add(new)
    session.flush()
    if questionnaire.is_default:
        questionnaire.is_default = False
        session.flush()
        new.is_default = True
    today = local_today()
    for campaign in session.scalars(
        select(Campaign).where(
            Campaign.questionnaire_id == questionnaire.id, Campaign.starts_on > today
        )
    ):
        campaign.questionnaire_id = new.id
    session.flush()
    return new


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
) -> Campaign:
    """Create (``campaign`` None) or update a campaign and return it.

    The period is ordered, the scope names existing sites and services, the target rates
    are fractions in (0, 1], and a campaign that has started keeps its questionnaire.
    """
    code = _code(code)
    other = session.scalar(select(Campaign).where(Campaign.code == code))
    if other is not None and other is not campaign:
        raise DomainError("duplicate code", field="code", code="duplicate")
    if session.get(Questionnaire, questionnaire_id) is None:
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
    campaign.name = _name(name)
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
    session.flush()
    return campaign


# --- tablets ------------------------------------------------------------------------------


def rename_tablet(tablet: Tablet, name: str) -> None:
    """Give a tablet a new name (as shown in the back office)."""
    tablet.name = _name(name)


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
