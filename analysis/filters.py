"""What a report covers: a period of local dates, sites, services, a campaign, a scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import DomainError
from surveys.bounds import check_day
from surveys.models import Campaign, CampaignScope, Service, Site

# A user's scope as ``surveys.users.visible_site_service_ids`` returns it.
Scope = tuple[bool, set[int], set[tuple[int, int]]]


@dataclass
class ReportFilters:
    """The filters of one report. Dates are local dates in each site's time zone."""

    date_from: date
    date_to: date
    site_codes: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    campaign: Campaign | None = None
    scope: Scope | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> ReportFilters:
        """Return the same filters over the period of the same length just before."""
        return ReportFilters(
            self.date_from - timedelta(days=self.days),
            self.date_from - timedelta(days=1),
            self.site_codes,
            self.service_codes,
            self.campaign,
            self.scope,
        )


def make_filters(
    session: Session,
    *,
    campaign_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    site_codes: list[str] | None = None,
    service_codes: list[str] | None = None,
    scope: Scope | None = None,
    today: date | None = None,
) -> ReportFilters:
    """Return checked filters: a campaign's dates unless dates are given, else the last
    twelve whole months before ``today``. Raises DomainError on an unknown code or a day
    outside ``surveys.bounds``."""
    campaign = None
    if campaign_code:
        campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
        if campaign is None:
            raise DomainError(f"Campagne inconnue : {campaign_code}", "campaign", "unknown")
        date_from = date_from or campaign.starts_on
        date_to = date_to or campaign.ends_on
    if date_from is None or date_to is None:
        today = today or date.today()
        date_to = date_to or today.replace(day=1) - timedelta(days=1)
        if date_from is None:
            year, month = date_to.year, date_to.month - 11
            if month <= 0:
                year, month = year - 1, month + 12
            date_from = date(year, month, 1)
    check_day(date_from, "from")
    check_day(date_to, "to")
    if date_to < date_from:
        raise DomainError("La date de fin précède la date de début.", "to", "invalid")
    codes = list(dict.fromkeys(site_codes or []))
    if codes:
        known = set(session.scalars(select(Site.code).where(Site.code.in_(codes))))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise DomainError(f"Site inconnu : {unknown[0]}", "site", "unknown")
    return ReportFilters(date_from, date_to, codes, list(service_codes or []), campaign, scope)


def previous_campaign(session: Session, campaign: Campaign) -> Campaign | None:
    """Return the campaign that ended last before ``campaign`` started, if any."""
    return session.scalar(
        select(Campaign)
        .where(Campaign.ends_on < campaign.starts_on)
        .order_by(Campaign.ends_on.desc())
        .limit(1)
    )


def campaign_service_ids(session: Session, campaign: Campaign) -> set[int]:
    """Return the ids of the services a campaign runs on."""
    ids = set()
    for scope in session.scalars(
        select(CampaignScope).where(CampaignScope.campaign_id == campaign.id)
    ):
        if scope.service_id is not None:
            ids.add(scope.service_id)
        else:
            ids.update(session.scalars(select(Service.id).where(Service.site_id == scope.site_id)))
    return ids
