"""The Hauts-de-Seine demo (seed 003): three sites, a 2022 campaign, tablets, one user per
role, a year of responses and réclamations near the published 2022 figures, and a lighter
stream of recent activity up to today.

Everything is drawn from seeded random generators and keyed by stable ids (uuid5 response
ids, ``92-2022-NNNNNN`` references, uuid5 client ids for recent réclamations), so building
twice stores nothing new; a later run only adds the recent days not yet covered.
"""

# ruff: noqa: S311  -- demo data drawn from a seeded generator on purpose, not secrets

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import is_working_day
from .campaigns import CampaignResolver, default_questionnaire
from .demo_indicators import build_demo_bilan
from .demo_reclamations import build_recent_reclamations, build_year_reclamations
from .demo_text import COMMENTS_OTHER, NEGATIVE_COMMENTS_FR, POSITIVE_COMMENTS_FR
from .models import (
    Campaign,
    CampaignScope,
    CampaignTarget,
    Criterion,
    Response,
    Service,
    Site,
    Tablet,
    User,
)
from .responses import NewResponse, insert_responses
from .tablets import new_enrolment_code, register_tablet
from .users import create_user

NAMESPACE = uuid.UUID("6f1f9f4e-2a53-4c8e-9a39-0d6a1b0c9292")
PARIS = ZoneInfo("Europe/Paris")
CAMPAIGN_CODE = "qualepref-2022"
RECENT_DAYS = 60

# Site code -> (name, satisfied share of "overall" in 2022, {service: (name, weight)}).
# The weights are the seed's survey counts per service ("autres démarches" go to accueil).
SITES = {
    "92-nanterre": (
        "Préfecture des Hauts-de-Seine",
        0.857,
        {
            "accueil": ("Accueil général", 54),
            "pan": ("Point d'accueil numérique", 2),
            "etrangers": ("Bureau du séjour des étrangers", 102),
            "naturalisations": ("Bureau des naturalisations", 36),
        },
    ),
    "92-antony": (
        "Sous-préfecture d'Antony",
        0.90,
        {
            "accueil": ("Accueil général", 5),
            "pan": ("Point d'accueil numérique", 6),
            "etrangers": ("Bureau des étrangers", 165),
            "associations": ("Greffe des associations", 3),
        },
    ),
    "92-boulogne": (
        "Sous-préfecture de Boulogne-Billancourt",
        0.925,
        {
            "accueil": ("Accueil général", 3),
            "pan": ("Point d'accueil numérique", 6),
            "etrangers": ("Bureau des étrangers", 95),
            "cert": ("Centre d'expertise et de ressources titres (CERT)", 4),
        },
    ),
}
# Responses per site in 2022 at scale 1, and per working day in the recent stream.
YEAR_VOLUME = {"92-nanterre": 4200, "92-antony": 2100, "92-boulogne": 1300}
RECENT_PER_DAY = {"92-nanterre": 6, "92-antony": 3, "92-boulogne": 2}
# Satisfied share of each criterion relative to "overall" (waiting is the sore point).
CRITERION_OFFSET = {
    "courtesy": 0.05,
    "accessibility": 0.02,
    "clarity": 0.03,
    "orientation": 0.01,
    "signage": -0.03,
    "comfort": -0.04,
    "confidentiality": -0.01,
    "waiting_time": -0.14,
}
SKIP = {"accessibility": 0.35, "confidentiality": 0.10}  # share left unanswered; others 5 %
CAMPAIGN_TARGETS = {"overall": 0.85, "courtesy": 0.9, "waiting_time": 0.7}
LANGUAGES = [("fr", 820), ("ar", 50), ("en", 40), ("es", 20), ("pt", 20), ("uk", 15),
             ("ru", 10), ("tr", 10), ("ro", 10), ("zh", 5)]  # fmt: skip
CHANNELS = [("kiosk", 45), ("qr", 35), ("paper", 20)]
# Arrivals per opening hour (9:00-16:00), with the morning rush.
HOURS = [(9, 14), (10, 22), (11, 18), (12, 8), (13, 10), (14, 16), (15, 12)]
TABLETS = [
    ("92-nanterre", "accueil", "Tablette du hall d'accueil (Nanterre)"),
    ("92-antony", "etrangers", "Tablette du bureau des étrangers (Antony)"),
]
USERS = [
    ("admin", "admin.demo@example.org", "Administratrice démo", "demo-admin-2022", []),
    ("quality", "qualite.demo@example.org", "Mission qualité démo", "demo-qualite-2022", []),
    (
        "agent",
        "agent.antony@example.org",
        "Agent des étrangers, Antony",
        "demo-agent-2022",
        [("92-antony", "etrangers")],
    ),
    (
        "viewer",
        "lecteur.nanterre@example.org",
        "Lecteur Nanterre",
        "demo-lecteur-2022",
        [("92-nanterre", None)],
    ),  # fmt: skip
]


@dataclass
class DemoSummary:
    """What :func:`build_demo` found or made, for the command to print."""

    responses_created: int = 0
    reclamations_created: int = 0
    users: list[tuple[str, str, str, str]] = field(default_factory=list)
    tablets: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    recent_from: date | None = None
    recent_to: date | None = None
    open_reclamations: int = 0
    overdue_reclamations: int = 0


def _weighted(rng: random.Random, pairs: list[tuple]) -> object:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def ensure_sites(session: Session) -> dict[str, Site]:
    """Create the three sites and their services when missing; return them by code."""
    found = {}
    for code, (name, _rate, services) in SITES.items():
        site = session.scalar(Site.by_code(code))
        if site is None:
            site = Site(code=code, name=name, departement="92", timezone="Europe/Paris")
            session.add(site)
            session.flush()
        known = {s.code for s in site.services}
        for service_code, (service_name, _weight) in services.items():
            if service_code not in known:
                session.add(Service(site_id=site.id, code=service_code, name=service_name))
        found[code] = site
    session.flush()
    for site in found.values():
        session.refresh(site)
    return found


def ensure_campaign(session: Session, sites: dict[str, Site], scale: float) -> Campaign:
    """Create the 2022 satisfaction campaign on the three sites when missing; return it."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == CAMPAIGN_CODE))
    if campaign is not None:
        return campaign
    criteria = dict(session.execute(select(Criterion.code, Criterion.id)).all())
    campaign = Campaign(
        code=CAMPAIGN_CODE,
        name="Enquête de satisfaction Qual-e-Pref 2022",
        questionnaire_id=default_questionnaire(session).id,
        starts_on=date(2022, 1, 1),
        ends_on=date(2022, 12, 31),
        target_n=max(1, round(sum(YEAR_VOLUME.values()) * scale * 0.9)),
        target_rate=0.8,
    )
    campaign.scopes = [CampaignScope(site_id=site.id, service_id=None) for site in sites.values()]
    campaign.targets = [
        CampaignTarget(criterion_id=criteria[code], target_rate=rate)
        for code, rate in CAMPAIGN_TARGETS.items()
    ]
    session.add(campaign)
    session.flush()
    return campaign


def ensure_tablets(session: Session, sites: dict[str, Site]) -> list[tuple]:
    """Register the two demo tablets; give a fresh one-time code to those not enrolled.

    Returns (site code, service code, name, enrolment code or None when enrolled).
    """
    result = []
    for site_code, service_code, name in TABLETS:
        service = next(s for s in sites[site_code].services if s.code == service_code)
        tablet = session.scalar(
            select(Tablet).where(Tablet.name == name, Tablet.service_id == service.id)
        )
        if tablet is None:
            tablet, code = register_tablet(session, service, name, valid_minutes=24 * 60)
        elif tablet.enrolled_at is None and tablet.revoked_at is None:
            code = new_enrolment_code(session, tablet, valid_minutes=24 * 60)
        else:
            code = None
        result.append((site_code, service_code, name, code))
    return result


def ensure_users(session: Session) -> list[tuple[str, str, str, str]]:
    """Create one back-office user per role when missing; return (role, email, password,
    scope)."""
    result = []
    for role, email, name, password, scopes in USERS:
        if session.scalar(select(User).where(User.email == email)) is None:
            create_user(
                session,
                email=email,
                name=name,
                password=password,
                role=role,
                scopes=scopes,
                check_strength=False,
            )
        scope = ", ".join(f"{s}/{v}" if v else s for s, v in scopes) or "tous les sites"
        result.append((role, email, password, scope))
    return result


class _ResponseMaker:
    """Draws responses whose satisfied shares follow the site's 2022 figures."""

    def __init__(self, session: Session, sites: dict[str, Site]) -> None:
        self.criteria = dict(session.execute(select(Criterion.code, Criterion.id)).all())
        questionnaire = default_questionnaire(session)
        self.items = [item.criterion.code for item in questionnaire.items]
        self.resolver = CampaignResolver(session)
        self.sites = sites

    def ratings(self, rng: random.Random, rate: float, overall_satisfied: bool) -> dict[int, int]:
        ratings = {}
        for code in self.items:
            if code == "overall":
                satisfied = overall_satisfied
            else:
                if rng.random() < SKIP.get(code, 0.05):
                    continue
                target = min(0.99, max(0.05, rate + CRITERION_OFFSET.get(code, 0.0)))
                # Correlated with "overall" while keeping the criterion's own share.
                k = min(0.5, 0.9 * (1 - target) / max(1 - rate, 1e-6), 0.9 * target / rate)
                p = target + (1 - rate) * k if overall_satisfied else target - rate * k
                satisfied = rng.random() < p
            if satisfied:
                ratings[self.criteria[code]] = 5 if rng.random() < 0.6 else 4
            else:
                ratings[self.criteria[code]] = rng.choices((3, 2, 1), weights=(5, 3, 2))[0]
        return ratings

    def comment(self, rng: random.Random, language: str, happy: bool) -> str | None:
        if rng.random() > 0.22:
            return None
        if language != "fr":
            texts = COMMENTS_OTHER.get(language, [])
            return rng.choice(texts) if texts and rng.random() < 0.5 else None
        return rng.choice(POSITIVE_COMMENTS_FR if happy else NEGATIVE_COMMENTS_FR)

    def make(
        self, rng: random.Random, key: str, site_code: str, day: date, overall_satisfied: bool
    ) -> NewResponse:
        site = self.sites[site_code]
        _name, rate, services = SITES[site_code]
        service_code = _weighted(rng, [(c, w) for c, (_n, w) in services.items()])
        service = next(s for s in site.services if s.code == service_code)
        hour = _weighted(rng, HOURS)
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), PARIS)
        when = local.astimezone(UTC)
        channel = _weighted(rng, CHANNELS)
        language = "fr" if channel == "paper" else _weighted(rng, LANGUAGES)
        questionnaire_id, campaign_id = self.resolver.resolve(site.id, service.id, when)
        ratings = self.ratings(rng, rate, overall_satisfied)
        return NewResponse(
            response_id=str(uuid.uuid5(NAMESPACE, key)),
            site_id=site.id,
            service_id=service.id,
            channel=channel,
            language=language,
            submitted_at=when,
            received_at=when + timedelta(seconds=rng.randrange(1, 30)),
            questionnaire_id=questionnaire_id,
            campaign_id=campaign_id,
            ratings=ratings,
            comment=self.comment(rng, language, overall_satisfied),
        )


def _working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if is_working_day(day, "92"):
            days.append(day)
        day += timedelta(days=1)
    return days


def _store_new(session: Session, rows: list[NewResponse]) -> int:
    """Store those of ``rows`` not yet stored, in chunks; return how many were new."""
    created = 0
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        known = set(
            session.scalars(
                select(Response.response_id).where(
                    Response.response_id.in_([r.response_id for r in chunk])
                )
            )
        )
        fresh = [r for r in chunk if r.response_id not in known]
        insert_responses(session, fresh)
        created += len(fresh)
    return created


def build_year_responses(
    session: Session, maker: _ResponseMaker, scale: float
) -> list[NewResponse]:
    """Return the 2022 responses: exact satisfied share of "overall" per site."""
    days = _working_days(date(2022, 1, 3), date(2022, 12, 30))
    # Quieter in August and over Christmas, as in any préfecture.
    weights = [0.45 if d.month == 8 or (d.month == 12 and d.day > 22) else 1.0 for d in days]
    rows = []
    for site_code, volume in YEAR_VOLUME.items():
        rng = random.Random(f"demo-2022-{site_code}")
        n = max(1, round(volume * scale))
        rate = SITES[site_code][1]
        satisfied = [i < round(rate * n) for i in range(n)]
        rng.shuffle(satisfied)
        chosen = sorted(rng.choices(days, weights=weights, k=n))
        for i, (day, happy) in enumerate(zip(chosen, satisfied, strict=True)):
            rows.append(maker.make(rng, f"2022/{site_code}/{i}", site_code, day, happy))
    return rows


def build_recent_responses(
    session: Session, maker: _ResponseMaker, scale: float, today: date, now: datetime
) -> list[NewResponse]:
    """Return the responses of the last :data:`RECENT_DAYS` days, none after ``now``."""
    rows = []
    for day in _working_days(today - timedelta(days=RECENT_DAYS), today):
        for site_code, per_day in RECENT_PER_DAY.items():
            rng = random.Random(f"demo-recent-{site_code}-{day.isoformat()}")
            rate = SITES[site_code][1]
            expected = per_day * scale * rng.uniform(0.5, 1.5)
            n = int(expected) + (rng.random() < expected % 1)  # small scales still get some
            for i in range(n):
                row = maker.make(
                    rng, f"recent/{site_code}/{day}/{i}", site_code, day, rng.random() < rate
                )
                if row.submitted_at <= now:
                    rows.append(row)
    return rows


def build_demo(session: Session, scale: float = 1.0, now: datetime | None = None) -> DemoSummary:
    """Build (or complete) the demo in ``session``'s database; return what was made.

    ``scale`` shrinks or grows the response volumes (tests use a small one); the 2022
    réclamation counts are the seed's at any scale.
    """
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    summary = DemoSummary(recent_from=today - timedelta(days=RECENT_DAYS), recent_to=today)
    sites = ensure_sites(session)
    ensure_campaign(session, sites, scale)
    summary.tablets = ensure_tablets(session, sites)
    summary.users = ensure_users(session)
    maker = _ResponseMaker(session, sites)
    rows = build_year_responses(session, maker, scale)
    rows += build_recent_responses(session, maker, scale, today, now)
    summary.responses_created = _store_new(session, rows)
    summary.reclamations_created = build_year_reclamations(session, sites)
    build_demo_bilan(session, sites)
    created, open_count, overdue = build_recent_reclamations(session, sites, now, RECENT_DAYS)
    summary.reclamations_created += created
    summary.open_reclamations, summary.overdue_reclamations = open_count, overdue
    session.flush()
    return summary
