"""A small préfecture for the security tests: two sites (Nanterre and Antony), accounts of
every role, some scoped to each site, a tablet, a campaign, a response and a réclamation."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date

import pytest

from surveys.models import (
    RECLAMATION_CHANNELS,
    RECLAMATION_KINDS,
    Campaign,
    CampaignScope,
    Reclamation,
    ReclamationCategory,
    ReplyTemplate,
    User,
)
from surveys.reclamations import NewReclamation, create_reclamation
from surveys.tablets import register_tablet
from tests.factories import (
    PASSWORD,
    default_questionnaire,
    make_response,
    make_service,
    make_site,
    make_user,
)

ROLES = (
    "anonymous",
    "viewer",
    "agent",
    "quality",
    "admin",
    "agent_elsewhere",
    "viewer_elsewhere",
)


@dataclass
class World:
    ids: dict[str, object] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    reclamation: Reclamation | None = None
    antony_reclamation: Reclamation | None = None
    emails: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    antony_reference: str = ""
    antony_reclamation_id: int = 0


def _reclamation(db, site_code: str, service_code: str, text: str) -> Reclamation:
    category = db.query(ReclamationCategory).order_by(ReclamationCategory.id).first()
    channel = "courrier" if "courrier" in RECLAMATION_CHANNELS else RECLAMATION_CHANNELS[0]
    kind = "reclamation" if "reclamation" in RECLAMATION_KINDS else RECLAMATION_KINDS[0]
    rec, _created = create_reclamation(
        db,
        NewReclamation(
            kind=kind,
            channel=channel,
            category=category.code,
            site=site_code,
            service=service_code,
            text=text,
            reply_wanted=True,
            contact_name="Camille Usager",
            contact_email="camille@example.org",
        ),
    )
    return rec


@pytest.fixture
def world(db) -> World:
    """Nanterre (the objects under test) and Antony (the scope of the "elsewhere" users)."""
    nanterre = make_site(db, "92-nanterre", "Préfecture des Hauts-de-Seine")
    accueil = make_service(db, nanterre, "accueil", "Accueil général")
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    titres = make_service(db, antony, "titres", "Titres")
    w = World()
    w.users["admin"] = make_user(db, "admin")
    w.users["quality"] = make_user(db, "quality")
    w.users["agent"] = make_user(db, "agent", scopes=[("92-nanterre", None)])
    w.users["viewer"] = make_user(db, "viewer", scopes=[("92-nanterre", "accueil")])
    w.users["agent_elsewhere"] = make_user(
        db, "agent", email="agent.antony@example.org", scopes=[("92-antony", None)]
    )
    w.users["viewer_elsewhere"] = make_user(
        db, "viewer", email="viewer.antony@example.org", scopes=[("92-antony", "titres")]
    )
    tablet, code = register_tablet(db, accueil, "Hall A")
    response = make_response(db, accueil, comment="Très bon accueil")
    campaign = Campaign(
        code="printemps",
        name="Printemps",
        questionnaire_id=default_questionnaire(db).id,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    campaign.scopes = [CampaignScope(site_id=nanterre.id)]
    db.add(campaign)
    db.flush()
    w.reclamation = _reclamation(db, "92-nanterre", "accueil", "Attente trop longue au guichet.")
    w.antony_reclamation = _reclamation(db, "92-antony", "titres", "Dossier perdu.")
    template = ReplyTemplate(name="Accueil", texts={"fr": "Bonjour {nom},"})
    db.add(template)
    db.flush()
    w.ids = {
        "template_id": template.id,
        "site_id": nanterre.id,
        "service_id": accueil.id,
        "tablet_id": tablet.id,
        "campaign_id": campaign.id,
        "questionnaire_id": default_questionnaire(db).id,
        "criterion_id": response.answers[0].criterion_id,
        "user_id": w.users["viewer"].id,
        "response_id": response.id,
        "reclamation_id": w.reclamation.id,
        "rec_id": w.reclamation.id,
        "reference": w.reclamation.reference,
        "code": code,
        "site_code": "92-nanterre",
        "service_code": "accueil",
        "site": "92-nanterre",
        "service": "accueil",
        "campaign_code": "printemps",
        "other_site_id": antony.id,
        "other_service_id": titres.id,
    }
    w.emails = {role: user.email for role, user in w.users.items()}
    w.user_ids = {role: user.id for role, user in w.users.items()}
    w.antony_reference = w.antony_reclamation.reference
    w.antony_reclamation_id = w.antony_reclamation.id
    db.commit()
    db.close()  # the test's requests must find SQLite's single write lock free
    return w


def login_as(client, world: World, role: str):
    """Log ``client`` in as ``role`` (one of ROLES); "anonymous" does nothing."""
    if role == "anonymous":
        return None
    response = client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
    assert response.status_code == 302, f"login as {role} failed: {response.status_code}"
    return response


def pytest_terminal_summary(terminalreporter) -> None:
    """Close the report with the figures of the route fuzz, when it ran."""
    fuzz = sys.modules.get("tests.security.test_route_fuzz")
    stats = getattr(fuzz, "STATS", None)
    if not stats or not stats["roles"]:
        return
    roles = stats["roles"]
    terminalreporter.write_line(
        f"route fuzz: {stats['routes']} routes × methods × {len(roles)} roles "
        f"({', '.join(roles)}) = {stats['routes'] * len(roles)} covered, "
        f"{stats['requests']} requests, {stats['examples']} Hypothesis examples, "
        f"{stats['seconds']:.1f} s ({stats['cpu']:.1f} s of CPU)"
    )
