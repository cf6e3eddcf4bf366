"""The demo's setting: the three Hauts-de-Seine sites and their services, the yearly
satisfaction campaigns of 2021 and 2022 with their respondents, the tablets and one user
per role, each created when missing."""

from __future__ import annotations

import random
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar import HOME_TIMEZONE
from ..campaigns import default_questionnaire
from ..models import (
    Campaign,
    CampaignScope,
    CampaignTarget,
    Criterion,
    Service,
    Site,
    Tablet,
    User,
)
from ..tablets import new_enrolment_code, register_tablet
from ..users import create_user

PARIS = ZoneInfo(HOME_TIMEZONE)
# The recent activity covers these last days, up to today.
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
CAMPAIGN_TARGETS = {"overall": 0.85, "courtesy": 0.9, "waiting_time": 0.7}
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


def weighted(rng: random.Random, pairs: list[tuple]) -> object:
    """Return the first item of one of ``pairs`` (item, weight), drawn by weight."""
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
    scope), the scope as ``site/service`` codes, empty for every site."""
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
        scope = ", ".join(f"{s}/{v}" if v else s for s, v in scopes)
        result.append((role, email, password, scope))
    return result
