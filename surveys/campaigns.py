"""Campaigns: saving one (:func:`save_campaign`), and which questionnaire and campaign a
response belongs to.

A campaign covers a response when the response's local date (in its site's time zone) lies
between ``starts_on`` and ``ends_on`` inclusive and one of the campaign's scopes is the whole
site (``service_id`` null) or the response's service. When several campaigns cover it, the one
that started last wins (the most specific in time); ties go to the highest campaign id (the
newest created). Without a campaign, the response gets the version of the default
questionnaire in force on that local date and no campaign: the newest version published on
or before that day (a draft, never published, is in force nowhere); before the first
publication, the first version published (history older than the installation).

Saving a campaign checks its input and raises ``DomainError`` (with the field at fault)
rather than storing something wrong; the caller commits and writes the audit entry.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from . import DomainError
from .calendar import local_today
from .fields import clean_code, clean_name
from .i18n import _l
from .models import (
    Campaign,
    CampaignScope,
    CampaignTarget,
    Criterion,
    Questionnaire,
    Response,
    Service,
    Site,
)
from .questionnaires import publish_questionnaire
from .tallies import local_buckets


def local_date(when: datetime, timezone: str) -> date:
    """Return the calendar date of ``when`` (naive means UTC) in ``timezone``: the day of
    :func:`surveys.tallies.local_buckets`, the one definition."""
    return local_buckets(when, timezone)[0]


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
        raise DomainError(
            _l("Aucun questionnaire par défaut n'est défini."), code="no_default_questionnaire"
        )
    if on is not None:
        for questionnaire_id, published_on in versions:
            if published_on <= on:
                return questionnaire_id
    return min(versions, key=lambda v: (v[1], v[0]))[0] if on is not None else versions[0][0]


def default_questionnaire(session: Session, on: date | None = None) -> Questionnaire:
    """Return the version of the default questionnaire in force on local date ``on`` (None:
    the newest published version); DomainError when none is published."""
    return session.get(Questionnaire, _in_force(_default_versions(session), on))


def questionnaire_and_campaign_for(
    session: Session, site_id: int, service_id: int | None, when: datetime
) -> tuple[Questionnaire, Campaign | None]:
    """Return the questionnaire a response at ``when`` answers, and its campaign if any.

    ``when`` is an aware datetime (naive is taken as UTC); the campaign dates are read in the
    site's local time zone. The rule is :meth:`CampaignResolver.resolve`'s, on this site's
    campaigns only.
    """
    resolver = CampaignResolver(session, site_id=site_id)
    if site_id not in resolver.timezones:
        raise DomainError(_l("Site inconnu."), field="site", code="unknown_site")
    questionnaire_id, campaign_id = resolver.resolve(site_id, service_id, when)
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    return session.get(Questionnaire, questionnaire_id), campaign


class CampaignResolver:
    """The one rule of the module's docstring: which questionnaire and campaign a response
    is filed under. Loads the campaign scopes (of one site, or every site) and the default
    questionnaire's versions once; ``resolve`` answers from memory and keeps no session, so
    bulk work (imports, demo) and the per-process reference cache (``surveys.directory``)
    build one and ask it many times, and a page asks it once
    (:func:`questionnaire_and_campaign_for`).
    """

    def __init__(self, session: Session, *, site_id: int | None = None) -> None:
        self._defaults = _default_versions(session)
        sites = select(Site.id, Site.timezone)
        scopes = select(
            Campaign.id,
            Campaign.questionnaire_id,
            Campaign.starts_on,
            Campaign.ends_on,
            CampaignScope.site_id,
            CampaignScope.service_id,
        ).join(CampaignScope, CampaignScope.campaign_id == Campaign.id)
        if site_id is not None:
            sites = sites.where(Site.id == site_id)
            scopes = scopes.where(CampaignScope.site_id == site_id)
        self.timezones = dict(session.execute(sites).all())
        rows = session.execute(scopes).all()
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
        on = local_date(when, self.timezones[site_id])
        for campaign_id, questionnaire_id, starts_on, ends_on, _, scope_service in candidates or ():
            if starts_on <= on <= ends_on and (
                scope_service is None or scope_service == service_id
            ):
                return questionnaire_id, campaign_id
        return _in_force(self._defaults, on), None


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
        raise DomainError(_l("code déjà utilisé"), field="code", code="duplicate")
    questionnaire = session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise DomainError(_l("questionnaire inconnu"), field="questionnaire", code="unknown")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on < starts_on:
        raise DomainError(_l("fin avant le début"), field="ends_on", code="dates_order")
    if not 0 <= target_n <= 1_000_000:
        raise DomainError(_l("cible hors des bornes"), field="target_n", code="range")
    if not 0 < target_rate <= 1:
        raise DomainError(_l("taux hors des bornes"), field="target_rate", code="range")
    _check_scopes(session, scopes)
    _check_targets(session, targets or {})
    if campaign is None:
        campaign = Campaign(code=code)
        session.add(campaign)
    elif (
        campaign.questionnaire_id != questionnaire_id
        and campaign.starts_on <= local_today()
        and session.scalar(select(exists().where(Response.campaign_id == campaign.id)))
    ):
        raise DomainError(_l("la campagne a des réponses"), field="questionnaire", code="frozen")
    campaign.code = code
    campaign.name = clean_name(name)
    campaign.questionnaire_id = questionnaire_id
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.target_n = target_n
    campaign.target_rate = target_rate
    _set_scopes(campaign, scopes)
    _set_targets(campaign, targets or {})
    publish_questionnaire(questionnaire, starts_on, french_fallback=french_fallback)
    session.flush()
    return campaign


def _check_scopes(session: Session, scopes: list[tuple[int, int | None]]) -> None:
    """Raise DomainError unless ``scopes`` is not empty and names existing sites, and
    services of those sites."""
    if not scopes:
        raise DomainError(_l("périmètre requis"), field="scopes", code="required")
    for site_id, service_id in scopes:
        site = session.get(Site, site_id)
        service = session.get(Service, service_id) if service_id is not None else None
        if site is None or (
            service_id is not None and (service is None or service.site_id != site_id)
        ):
            raise DomainError(_l("site ou service inconnu"), field="scopes", code="unknown")


def _check_targets(session: Session, targets: dict[int, float]) -> None:
    """Raise DomainError unless every target names an existing criterion and a rate in
    (0, 1]."""
    for criterion_id, rate in targets.items():
        if session.get(Criterion, criterion_id) is None:
            raise DomainError(_l("critère inconnu"), field="targets", code="unknown")
        if not 0 < rate <= 1:
            raise DomainError(_l("taux hors des bornes"), field="targets", code="range")


def _set_scopes(campaign: Campaign, scopes: list[tuple[int, int | None]]) -> None:
    """Give ``campaign`` the ``scopes`` (site id, service id or None), keeping the rows of
    those it already had."""
    wanted = set(dict.fromkeys(scopes))
    campaign.scopes = [s for s in campaign.scopes if (s.site_id, s.service_id) in wanted] + [
        CampaignScope(site_id=site_id, service_id=service_id)
        for site_id, service_id in dict.fromkeys(scopes)
        if (site_id, service_id) not in {(s.site_id, s.service_id) for s in campaign.scopes}
    ]


def _set_targets(campaign: Campaign, targets: dict[int, float]) -> None:
    """Give ``campaign`` one target rate per criterion of ``targets``, keeping the rows of
    the criteria it already had."""
    by_criterion = {t.criterion_id: t for t in campaign.targets}
    kept = []
    for criterion_id, rate in targets.items():
        target = by_criterion.get(criterion_id) or CampaignTarget(criterion_id=criterion_id)
        target.target_rate = rate
        kept.append(target)
    campaign.targets = kept
