"""Sites and their services: creating them and changing them (the models are in
``surveys.models.sites``; a whole sites file is ``surveys.import_sites``'s). Each operation
checks its input and raises ``DomainError`` (with the field at fault) rather than storing
something wrong; the caller commits and writes the audit entry."""

from __future__ import annotations

from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from . import DomainError
from .calendar import HOME_TIMEZONE
from .departements import is_departement, normalise
from .fields import clean_code, clean_name
from .i18n import _l
from .models import Service, Site


def create_site(
    session: Session,
    *,
    code: str,
    name: str,
    departement: str,
    timezone: str = HOME_TIMEZONE,
    official_title: str | None = None,
) -> Site:
    """Create and return a site; its code is unique and its département a real one."""
    code = clean_code(code, place=True)
    if session.scalar(Site.by_code(code)) is not None:
        raise DomainError(_l("code déjà utilisé"), field="code", code="duplicate")
    site = Site(code=code, name=clean_name(name), departement="", timezone=HOME_TIMEZONE)
    update_site(
        site,
        name=name,
        departement=departement,
        timezone=timezone,
        active=True,
        official_title=official_title,
    )
    session.add(site)
    session.flush()
    return site


def update_site(
    site: Site,
    *,
    name: str,
    departement: str,
    timezone: str,
    active: bool,
    official_title: str | None = None,
) -> None:
    """Change a site's name, département, time zone, whether it is in use, and its official
    title (the bloc marque of its pages: its lines kept, their spaces folded; empty: the
    instance's)."""
    departement = normalise(departement)
    if not is_departement(departement):
        raise DomainError(_l("département inconnu"), field="departement", code="invalid")
    if timezone not in available_timezones():
        raise DomainError(_l("fuseau horaire inconnu"), field="timezone", code="invalid")
    site.name = clean_name(name)
    site.departement = departement
    site.timezone = timezone
    site.active = bool(active)
    lines = [" ".join(line.split()) for line in (official_title or "").splitlines()]
    title = "\n".join(line for line in lines if line)
    if len(title) > 200:
        raise DomainError(_l("trop long"), field="official_title", code="too_long")
    site.official_title = title or None


def create_service(session: Session, site: Site, *, code: str, name: str) -> Service:
    """Create and return a service of ``site``; its code is unique within the site."""
    code = clean_code(code, place=True)
    if session.scalar(Service.by_codes(site.code, code)) is not None:
        raise DomainError(_l("code déjà utilisé"), field="code", code="duplicate")
    service = Service(site=site, code=code, name=clean_name(name))
    session.add(service)
    session.flush()
    return service


def update_service(service: Service, *, name: str, active: bool) -> None:
    """Rename a service or take it out of use (its history stays)."""
    service.name = clean_name(name)
    service.active = bool(active)
