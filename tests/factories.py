"""Small factories for tests: each makes one object with sensible defaults and flushes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Answer, Criterion, Questionnaire, Response, Service, Site, User
from surveys.users import create_user

PASSWORD = "correct horse battery"


def make_site(
    db: Session,
    code: str = "92-nanterre",
    name: str = "Préfecture des Hauts-de-Seine",
    departement: str = "92",
    timezone: str = "Europe/Paris",
) -> Site:
    site = db.scalar(Site.by_code(code))
    if site is None:
        site = Site(code=code, name=name, departement=departement, timezone=timezone)
        db.add(site)
        db.flush()
    return site


def make_service(
    db: Session, site: Site | None = None, code: str = "accueil", name: str = "Accueil général"
) -> Service:
    site = site or make_site(db)
    service = db.scalar(Service.by_codes(site.code, code))
    if service is None:
        service = Service(site=site, code=code, name=name)
        db.add(service)
        db.flush()
    return service


def default_questionnaire(db: Session) -> Questionnaire:
    return db.scalar(select(Questionnaire).where(Questionnaire.is_default.is_(True)))


def criterion(db: Session, code: str) -> Criterion:
    return db.scalar(select(Criterion).where(Criterion.code == code))


def make_response(
    db: Session,
    service: Service | None = None,
    ratings: dict[str, int] | None = None,
    channel: str = "qr",
    submitted_at: datetime | None = None,
    comment: str | None = None,
    language: str = "fr",
) -> Response:
    service = service or make_service(db)
    ratings = {"overall": 5} if ratings is None else ratings
    response = Response(
        response_id=str(uuid.uuid4()),
        site_id=service.site_id,
        service_id=service.id,
        channel=channel,
        language=language,
        submitted_at=submitted_at or datetime.now(UTC),
        questionnaire_id=default_questionnaire(db).id,
        comment=comment,
    )
    response.answers = [
        Answer(criterion_id=criterion(db, code).id, rating=value) for code, value in ratings.items()
    ]
    db.add(response)
    db.flush()
    return response


def make_user(
    db: Session,
    role: str = "quality",
    email: str | None = None,
    scopes: list[tuple[str, str | None]] = (),
    password: str = PASSWORD,
) -> User:
    return create_user(
        db,
        email=email or f"{role}@example.org",
        name=role.capitalize(),
        password=password,
        role=role,
        scopes=list(scopes),
        check_strength=False,
    )
