"""Imports of sites, responses and réclamations from the CSV formats of DESIGN.md.

Every import reads the whole file and checks every line before anything is kept: a file with
one bad line stores nothing (the caller's transaction is rolled back by the raised
:class:`~surveys.csvformat.ImportRefused`, which lists ``line N, column COL: reason``).
Re-importing a file stores nothing new: responses are matched on ``response_id``,
réclamations on ``reference``; a known id whose content differs is an error.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .csvformat import (
    CODE_RE,
    DEPARTEMENT_RE,
    SITE_COLUMNS,
    CsvFile,
    ErrorList,
    ImportResult,
    check_header,
    timezone_for,
)
from .import_reclamations import import_reclamations
from .import_responses import import_responses
from .models import Service, Site
from .spreadsheet import unneutralise

__all__ = ["ImportResult", "import_reclamations", "import_responses", "import_sites"]


def import_sites(session: Session, path: str | Path) -> ImportResult:
    """Create or update the sites and services listed in a sites CSV; return the counts.

    A site's name and département (hence its time zone, for a new site) come from the file;
    the same site code on several rows must carry the same name and département.
    """
    errors = ErrorList()
    source = CsvFile(path, errors)
    if source.header is not None:
        check_header(source.header, SITE_COLUMNS, errors, allowed=set(SITE_COLUMNS))
    errors.raise_if_any()
    sites: dict[str, tuple[str, str, int]] = {}
    services: dict[tuple[str, str], tuple[str, int]] = {}
    result = ImportResult()
    for line, row in source.rows():
        result.read += 1
        site_code = row["site"].strip()
        site_name = unneutralise(row["site_name"].strip())
        departement = row["departement"].strip().upper()
        service_code = row["service"].strip()
        service_name = unneutralise(row["service_name"].strip())
        if not CODE_RE.match(site_code):
            errors.add(line, "site", f"{site_code!r} is not a code (a-z, 0-9, - and _)")
        if not site_name:
            errors.add(line, "site_name", "empty")
        if not DEPARTEMENT_RE.match(departement):
            errors.add(line, "departement", f"{departement!r} is not a département code")
        if not CODE_RE.match(service_code):
            errors.add(line, "service", f"{service_code!r} is not a code (a-z, 0-9, - and _)")
        if not service_name:
            errors.add(line, "service_name", "empty")
        known = sites.setdefault(site_code, (site_name, departement, line))
        if known[:2] != (site_name, departement):
            errors.add(
                line, "site_name", f"site {site_code} is described differently on line {known[2]}"
            )
        previous = services.setdefault((site_code, service_code), (service_name, line))
        if previous[1] != line:
            errors.add(line, "service", f"duplicate of line {previous[1]}")
    errors.raise_if_any()

    stored_sites = {s.code: s for s in session.scalars(select(Site))}
    for code, (name, departement, _line) in sites.items():
        site = stored_sites.get(code)
        if site is None:
            site = Site(
                code=code, name=name, departement=departement, timezone=timezone_for(departement)
            )
            session.add(site)
            stored_sites[code] = site
        elif (site.name, site.departement) != (name, departement):
            site.name, site.departement = name, departement
    session.flush()
    stored_services = {
        (site_code, s.code): s
        for site_code, s in session.execute(select(Site.code, Service).join(Service.site))
    }
    for (site_code, service_code), (name, _line) in services.items():
        service = stored_services.get((site_code, service_code))
        if service is None:
            session.add(Service(site_id=stored_sites[site_code].id, code=service_code, name=name))
            result.created += 1
        elif service.name != name:
            service.name = name
            result.updated += 1
        else:
            result.unchanged += 1
    session.flush()
    return result
