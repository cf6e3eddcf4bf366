"""The Hauts-de-Seine demo (seed 003): three sites, the yearly satisfaction campaigns of
2021 and 2022 on the minutes' dates and respondents per service, tablets, one user per role,
two years of réclamations at the published 2022 figures and their 2021 comparison, and a
lighter stream of recent activity up to today. Larger volumes are the benchmarks' business
(``bench/``), not the demo's.

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

from .calendar import HOME_TIMEZONE, is_working_day
from .campaigns import CampaignResolver, default_questionnaire
from .demo_indicators import build_demo_bilan
from .demo_reclamations import build_recent_reclamations, build_year_reclamations
from .demo_text import (
    COMMENTS_OTHER,
    MIXED_BY_CRITERION_FR,
    NEGATIVE_BY_CRITERION_FR,
    POSITIVE_COMMENTS_FR,
)
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
from .response_writes import NewResponse, insert_responses
from .tablets import new_enrolment_code, register_tablet
from .users import create_user

NAMESPACE = uuid.UUID("6f1f9f4e-2a53-4c8e-9a39-0d6a1b0c9292")
PARIS = ZoneInfo(HOME_TIMEZONE)
RECENT_DAYS = 60

# Site code -> (name, {service: name}).
SITES = {
    "92-nanterre": (
        "Préfecture des Hauts-de-Seine",
        {
            "accueil": "Accueil général",
            "pan": "Point d'accueil numérique",
            "etrangers": "Bureau du séjour des étrangers",
            "naturalisations": "Bureau des naturalisations",
        },
    ),
    "92-antony": (
        "Sous-préfecture d'Antony",
        {
            "accueil": "Accueil général",
            "pan": "Point d'accueil numérique",
            "etrangers": "Bureau des étrangers",
            "associations": "Greffe des associations",
        },
    ),
    "92-boulogne": (
        "Sous-préfecture de Boulogne-Billancourt",
        {
            "accueil": "Accueil général",
            "pan": "Point d'accueil numérique",
            "etrangers": "Bureau des étrangers",
            "cert": "Centre d'expertise et de ressources titres (CERT)",
        },
    ),
}
# Year -> site -> (satisfied share of "overall", respondents per service). 2022 is the
# minutes' ("194 usagers : bureau du séjour (102), naturalisations (36), accueil général
# (6), point numérique (2), autres démarches (48)", the others counted at the accueil);
# 2021 is invented near it ("autant que lors de l'enquête menée en 2021" at Antony).
SURVEYS = {
    2021: {
        "92-nanterre": (0.85, {"etrangers": 96, "naturalisations": 41, "accueil": 44, "pan": 3}),
        "92-antony": (0.90, {"etrangers": 158, "pan": 5, "accueil": 7}),
        "92-boulogne": (0.92, {"etrangers": 88, "pan": 5, "cert": 6}),
    },
    2022: {
        "92-nanterre": (0.857, {"etrangers": 102, "naturalisations": 36, "accueil": 54, "pan": 2}),
        "92-antony": (0.90, {"etrangers": 165, "pan": 6, "accueil": 5}),
        "92-boulogne": (0.925, {"etrangers": 95, "pan": 6, "cert": 4}),
    },
}
# The yearly campaigns: the minutes' dates in 2022 ("du 23 mars au 20 avril 2022 dans les
# deux sous-préfectures et du 28 novembre au 18 décembre 2022 à la Préfecture"), the same
# weeks in 2021. The codes differ by their year only: the report compares each with its
# previous edition.
CAMPAIGNS = [
    (2021, "qualepref-2021-sous-prefectures", "Enquête de satisfaction 2021 des sous-préfectures",
     date(2021, 3, 22), date(2021, 4, 16), ("92-antony", "92-boulogne")),
    (2021, "qualepref-2021-nanterre", "Enquête de satisfaction 2021 de la préfecture",
     date(2021, 11, 29), date(2021, 12, 17), ("92-nanterre",)),
    (2022, "qualepref-2022-sous-prefectures", "Enquête de satisfaction 2022 des sous-préfectures",
     date(2022, 3, 23), date(2022, 4, 20), ("92-antony", "92-boulogne")),
    (2022, "qualepref-2022-nanterre", "Enquête de satisfaction 2022 de la préfecture",
     date(2022, 11, 28), date(2022, 12, 18), ("92-nanterre",)),
]  # fmt: skip
# Responses per working day in the recent stream (the "donnez votre avis" poster).
RECENT_PER_DAY = {"92-nanterre": 2, "92-antony": 1, "92-boulogne": 1}
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


# The bloc marque of each demo site, as the State writes it (a line break where it breaks).
OFFICIAL_TITLES = {
    "92-nanterre": "Préfet\ndes Hauts-de-Seine",
    "92-antony": "Sous-préfet\nd'Antony",
    "92-boulogne": "Sous-préfet\nde Boulogne-Billancourt",
}


def ensure_sites(session: Session) -> dict[str, Site]:
    """Create the three sites and their services when missing; return them by code."""
    found = {}
    for code, (name, services) in SITES.items():
        site = session.scalar(Site.by_code(code))
        if site is None:
            site = Site(
                code=code,
                name=name,
                departement="92",
                timezone=HOME_TIMEZONE,
                official_title=OFFICIAL_TITLES.get(code),
            )
            session.add(site)
            session.flush()
        known = {s.code for s in site.services}
        for service_code, service_name in services.items():
            if service_code not in known:
                session.add(Service(site_id=site.id, code=service_code, name=service_name))
        found[code] = site
    session.flush()
    for site in found.values():
        session.refresh(site)
    return found


def ensure_campaigns(session: Session, sites: dict[str, Site], scale: float) -> list[Campaign]:
    """Create the yearly campaigns of :data:`CAMPAIGNS` when missing; return them."""
    criteria = dict(session.execute(select(Criterion.code, Criterion.id)).all())
    result = []
    for year, code, name, starts_on, ends_on, site_codes in CAMPAIGNS:
        campaign = session.scalar(select(Campaign).where(Campaign.code == code))
        if campaign is None:
            volume = sum(sum(SURVEYS[year][s][1].values()) for s in site_codes)
            campaign = Campaign(
                code=code,
                name=name,
                questionnaire_id=default_questionnaire(session).id,
                starts_on=starts_on,
                ends_on=ends_on,
                target_n=max(1, round(volume * scale * 0.9)),
                target_rate=0.8,
            )
            campaign.scopes = [
                CampaignScope(site_id=sites[s].id, service_id=None) for s in site_codes
            ]
            campaign.targets = [
                CampaignTarget(criterion_id=criteria[c], target_rate=rate)
                for c, rate in CAMPAIGN_TARGETS.items()
            ]
            session.add(campaign)
            session.flush()
        result.append(campaign)
    return result


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
        self.codes = {cid: code for code, cid in self.criteria.items()}
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

    def comment(self, rng: random.Random, language: str, ratings: dict[int, int]) -> str | None:
        """A comment that agrees with the ratings: praise when every rating is good, the
        lowest-rated criterion's complaint when the overall one is low, praise with a
        reservation about it when only that criterion is."""
        if rng.random() > 0.22:
            return None
        by_code = {self.codes[cid]: value for cid, value in ratings.items()}
        overall = by_code.get("overall", 3)
        others = {code: value for code, value in by_code.items() if code != "overall"}
        lowest = min(others.values(), default=5)
        worst = rng.choice(sorted(c for c, v in others.items() if v == lowest) or ["overall"])
        low = others.get(worst, 5) <= 2
        if language != "fr":
            happy_texts, unhappy_texts = COMMENTS_OTHER.get(language, ([], []))
            texts = happy_texts if overall >= 4 and not low else unhappy_texts
            return rng.choice(texts) if texts and rng.random() < 0.5 else None
        if overall >= 4:
            if low and worst in MIXED_BY_CRITERION_FR:
                return MIXED_BY_CRITERION_FR[worst]
            return None if low else rng.choice(POSITIVE_COMMENTS_FR)
        key = worst if worst in NEGATIVE_BY_CRITERION_FR else "overall"
        return rng.choice(NEGATIVE_BY_CRITERION_FR[key])

    def make(
        self,
        rng: random.Random,
        key: str,
        site_code: str,
        service_code: str,
        day: date,
        overall_satisfied: bool,
        rate: float,
    ) -> NewResponse:
        site = self.sites[site_code]
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
            comment=self.comment(rng, language, ratings),
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
    session: Session, maker: _ResponseMaker, scale: float, year: int = 2022
) -> list[NewResponse]:
    """Return the responses of ``year``'s campaigns: the respondents per service of
    :data:`SURVEYS` on the campaign's working days, the exact satisfied share of
    "overall" per site."""
    rows = []
    for campaign_year, _code, _name, starts_on, ends_on, site_codes in CAMPAIGNS:
        if campaign_year != year:
            continue
        days = _working_days(starts_on, ends_on)
        for site_code in site_codes:
            rate, services = SURVEYS[year][site_code]
            rng = random.Random(f"demo-{year}-{site_code}")
            chosen = [
                code
                for code, count in services.items()
                for _ in range(max(1, round(count * scale)))
            ]
            n = len(chosen)
            satisfied = [i < round(rate * n) for i in range(n)]
            rng.shuffle(satisfied)
            dates = sorted(rng.choices(days, k=n))
            for i, (service_code, day, happy) in enumerate(
                zip(chosen, dates, satisfied, strict=True)
            ):
                rows.append(
                    maker.make(
                        rng, f"{year}/{site_code}/{i}", site_code, service_code, day, happy, rate
                    )
                )
    return rows


def build_recent_responses(
    session: Session, maker: _ResponseMaker, scale: float, today: date, now: datetime
) -> list[NewResponse]:
    """Return the responses of the last :data:`RECENT_DAYS` days, none after ``now``."""
    rows = []
    for day in _working_days(today - timedelta(days=RECENT_DAYS), today):
        for site_code, per_day in RECENT_PER_DAY.items():
            rng = random.Random(f"demo-recent-{site_code}-{day.isoformat()}")
            rate, services = SURVEYS[2022][site_code]
            expected = per_day * scale * rng.uniform(0.5, 1.5)
            n = int(expected) + (rng.random() < expected % 1)  # small scales still get some
            for i in range(n):
                service_code = _weighted(rng, list(services.items()))
                row = maker.make(
                    rng,
                    f"recent/{site_code}/{day}/{i}",
                    site_code,
                    service_code,
                    day,
                    rng.random() < rate,
                    rate,
                )
                if row.submitted_at <= now:
                    rows.append(row)
    return rows


def build_demo(session: Session, scale: float = 1.0, now: datetime | None = None) -> DemoSummary:
    """Build (or complete) the demo in ``session``'s database; return what was made.

    ``scale`` shrinks or grows the response volumes (tests use a small one); the
    réclamation counts are the seed's at any scale.
    """
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    summary = DemoSummary(recent_from=today - timedelta(days=RECENT_DAYS), recent_to=today)
    sites = ensure_sites(session)
    ensure_campaigns(session, sites, scale)
    summary.tablets = ensure_tablets(session, sites)
    summary.users = ensure_users(session)
    maker = _ResponseMaker(session, sites)
    rows = build_year_responses(session, maker, scale, 2021)
    rows += build_year_responses(session, maker, scale, 2022)
    rows += build_recent_responses(session, maker, scale, today, now)
    summary.responses_created = _store_new(session, rows)
    summary.reclamations_created = build_year_reclamations(session, sites, 2021)
    summary.reclamations_created += build_year_reclamations(session, sites, 2022)
    build_demo_bilan(session, sites)
    created, open_count, overdue = build_recent_reclamations(session, sites, now, RECENT_DAYS)
    summary.reclamations_created += created
    summary.open_reclamations, summary.overdue_reclamations = open_count, overdue
    session.flush()
    return summary
