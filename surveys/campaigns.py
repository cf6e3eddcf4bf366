"""Which questionnaire and campaign a response belongs to.

A campaign covers a response when the response's local date (in its site's time zone) lies
between ``starts_on`` and ``ends_on`` inclusive and one of the campaign's scopes is the whole
site (``service_id`` null) or the response's service. When several campaigns cover it, the one
that started last wins (the most specific in time); ties go to the highest campaign id (the
newest created). Without a campaign, the response gets the version of the default
questionnaire in force on that local date and no campaign: the newest version published on
or before that day (a draft, never published, is in force nowhere); before the first
publication, the first version published (history older than the installation).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import DomainError
from .calendar import HOME_TIMEZONE
from .models import Campaign, CampaignScope, Questionnaire, Site


def local_date(when: datetime, timezone: str) -> date:
    """Return the calendar date of ``when`` (naive means UTC) in ``timezone``."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(timezone)).date()


def _default_versions(session: Session) -> list[tuple[int, date]]:
    """Return (id, published_on) of the published versions of the default questionnaire,
    newest version first."""
    code = session.scalar(
        select(Questionnaire.code)
        .where(Questionnaire.is_default.is_(True))
        .order_by(Questionnaire.version.desc(), Questionnaire.id.desc())
        .limit(1)
    )
    if code is None:
        return []
    return [
        tuple(row)
        for row in session.execute(
            select(Questionnaire.id, Questionnaire.published_on)
            .where(Questionnaire.code == code, Questionnaire.published_on.is_not(None))
            .order_by(Questionnaire.version.desc(), Questionnaire.id.desc())
        )
    ]


def _in_force(versions: list[tuple[int, date]], on: date | None) -> int:
    if not versions:
        raise DomainError("No default questionnaire is defined.", code="no_default_questionnaire")
    if on is not None:
        for questionnaire_id, published_on in versions:
            if published_on <= on:
                return questionnaire_id
    return min(versions, key=lambda v: (v[1], v[0]))[0] if on is not None else versions[0][0]


def default_questionnaire(session: Session, on: date | None = None) -> Questionnaire:
    """Return the version of the default questionnaire in force on local date ``on`` (None:
    the newest published version); DomainError when none is published."""
    return session.get(Questionnaire, _in_force(_default_versions(session), on))


def campaign_covering(
    session: Session, site_id: int, service_id: int | None, on: date
) -> Campaign | None:
    """Return the campaign covering (site, service) on local date ``on``, or None.

    The campaign that started last wins; ties go to the highest id.
    """
    scope_matches = or_(
        CampaignScope.service_id.is_(None),
        CampaignScope.service_id == service_id if service_id is not None else False,
    )
    query = (
        select(Campaign)
        .join(CampaignScope, CampaignScope.campaign_id == Campaign.id)
        .where(
            and_(
                CampaignScope.site_id == site_id,
                scope_matches,
                Campaign.starts_on <= on,
                Campaign.ends_on >= on,
            )
        )
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def questionnaire_and_campaign_for(
    session: Session, site_id: int, service_id: int | None, when: datetime
) -> tuple[Questionnaire, Campaign | None]:
    """Return the questionnaire a response at ``when`` answers, and its campaign if any.

    ``when`` is an aware datetime (naive is taken as UTC); the campaign dates are read in the
    site's local time zone.
    """
    site = session.get(Site, site_id)
    if site is None:
        raise DomainError("Unknown site.", field="site", code="unknown_site")
    on = local_date(when, site.timezone)
    campaign = campaign_covering(session, site_id, service_id, on)
    if campaign is not None:
        return campaign.questionnaire, campaign
    return default_questionnaire(session, on), None


class CampaignResolver:
    """Cached ``questionnaire_and_campaign_for`` for bulk work (imports, demo) and for the
    per-process reference cache (``surveys.directory``).

    Loads every campaign scope and the default questionnaire once; ``resolve`` answers from
    memory with the same rule and keeps no session.
    """

    def __init__(self, session: Session) -> None:
        self._defaults = _default_versions(session)
        self._timezones = dict(session.execute(select(Site.id, Site.timezone)).all())
        rows = session.execute(
            select(
                Campaign.id,
                Campaign.questionnaire_id,
                Campaign.starts_on,
                Campaign.ends_on,
                CampaignScope.site_id,
                CampaignScope.service_id,
            ).join(CampaignScope, CampaignScope.campaign_id == Campaign.id)
        ).all()
        self._by_site: dict[int, list[tuple]] = {}
        for row in rows:
            self._by_site.setdefault(row.site_id, []).append(tuple(row))
        for candidates in self._by_site.values():
            candidates.sort(key=lambda r: (r[2], r[0]), reverse=True)

    def default_questionnaire_id(self, on: date | None = None) -> int:
        """Return the id of the default questionnaire's version in force on local date ``on``
        (None: the newest published); DomainError when none is published."""
        return _in_force(self._defaults, on)

    def resolve(
        self, site_id: int, service_id: int | None, when: datetime
    ) -> tuple[int, int | None]:
        """Return (questionnaire_id, campaign_id or None) for a response."""
        candidates = self._by_site.get(site_id)
        if not candidates and len(self._defaults) == 1:
            return self._defaults[0][0], None  # the usual case: no need of the local date
        on = local_date(when, self._timezones.get(site_id, HOME_TIMEZONE))
        for campaign_id, questionnaire_id, starts_on, ends_on, _, scope_service in candidates or ():
            if starts_on <= on <= ends_on and (
                scope_service is None or scope_service == service_id
            ):
                return questionnaire_id, campaign_id
        return _in_force(self._defaults, on), None
