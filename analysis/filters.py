"""What a report covers: a period of local dates, sites, services, a campaign, a scope."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import DomainError
from surveys.bounds import check_day
from surveys.calendar import local_today
from surveys.i18n import _l
from surveys.models import Campaign, Service, Site
from surveys.users import Scope


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

    def year_before(self, campaign: Campaign | None = None) -> ReportFilters:
        """Return the same sites, services and scope over the same dates one year earlier
        (29 February becomes the 28th), or over ``campaign``'s dates when given (the
        previous edition of the report's campaign). Without ``campaign`` no campaign is
        kept: the responses of those dates, whatever their campaign, are compared."""
        if campaign is not None:
            return ReportFilters(
                campaign.starts_on,
                campaign.ends_on,
                self.site_codes,
                self.service_codes,
                campaign,
                self.scope,
            )
        return ReportFilters(
            year_earlier(self.date_from),
            year_earlier(self.date_to),
            self.site_codes,
            self.service_codes,
            None,
            self.scope,
        )


def year_earlier(day: date) -> date:
    """Return the same day one year earlier (28 February for a 29 February): the previous
    year's period of a report and of the register indicators."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def twelve_months_to(last_day: date) -> tuple[date, date]:
    """Return the default period ending on ``last_day``: from the first day of the month
    eleven months before its own, twelve months in all. A report ends it on the last day
    of the month before today (whole months, as a committee reads them); the dashboard on
    today, with the month under way."""
    year, month = last_day.year, last_day.month - 11
    if month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1), last_day


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
            raise DomainError(
                _l("Campagne inconnue : {code}", code=campaign_code), "campaign", "unknown"
            )
        date_from = date_from or campaign.starts_on
        date_to = date_to or campaign.ends_on
    if date_from is None or date_to is None:
        today = today or local_today()
        date_to = date_to or today.replace(day=1) - timedelta(days=1)
        date_from = date_from or twelve_months_to(date_to)[0]
    check_day(date_from, "from")
    check_day(date_to, "to")
    if date_to < date_from:
        raise DomainError(_l("La date de fin précède la date de début."), "to", "invalid")
    codes = list(dict.fromkeys(site_codes or []))
    if codes:
        known = set(session.scalars(select(Site.code).where(Site.code.in_(codes))))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise DomainError(_l("Site inconnu : {code}", code=unknown[0]), "site", "unknown")
    services = list(dict.fromkeys(service_codes or []))
    if services:
        known = set(session.scalars(select(Service.code).where(Service.code.in_(services))))
        unknown = [code for code in services if code not in known]
        if unknown:
            raise DomainError(_l("Service inconnu : {code}", code=unknown[0]), "service", "unknown")
    return ReportFilters(date_from, date_to, codes, services, campaign, scope)


def previous_campaign(session: Session, campaign: Campaign) -> Campaign | None:
    """Return the previous edition of ``campaign``, if any: the campaign whose code is its
    code with the year a year earlier (``qualepref-2021-antony`` for
    ``qualepref-2022-antony``), when it ended before ``campaign`` started."""
    years = list(re.finditer(r"(?<!\d)(19|20)\d{2}(?!\d)", campaign.code))
    if not years:
        return None
    last = years[-1]
    code = campaign.code[: last.start()] + str(int(last.group()) - 1) + campaign.code[last.end() :]
    return session.scalar(
        select(Campaign).where(Campaign.code == code, Campaign.ends_on < campaign.starts_on)
    )
