"""The import of sites and their services (the sites CSV of DESIGN.md). Responses,
réclamations and register indicators have their own modules (``import_responses``,
``import_reclamations``, ``import_indicators``); all read CSV (in the dialects spreadsheets
save, ``surveys.sheets``) or the first sheet of an XLSX file, and keep the same rules.

Every import reads the whole file and checks every line before anything is kept: a file with
one bad line stores nothing (the caller's transaction is rolled back by the raised
:class:`~surveys.csvformat.ImportRefused`, which lists ``ligne N, colonne COL : raison``).
Re-importing a file stores nothing new: responses are matched on ``response_id``,
réclamations on ``reference``; a known id whose content differs is an error. A row without
an id gets one derived from its content (``surveys.response_rows`` for a response,
:func:`surveys.import_reclamations.derived_reference` for a réclamation).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .csvformat import (
    CODE_RE,
    EMPTY,
    SITE_COLUMNS,
    SITE_OPTIONAL_COLUMNS,
    ErrorList,
    ImportResult,
    Progress,
    check_header,
    duplicate_of,
    not_a_code,
)
from .departements import is_departement, normalise, timezone_for
from .i18n import _l
from .models import Service, Site
from .sheets import Table, open_table
from .spreadsheet import unneutralise

# The file's sites (name, département, official title, first line, by code) and services
# (name, line, by site code and service code).
_FileSites = dict[str, tuple[str, str, str, int]]
_FileServices = dict[tuple[str, str], tuple[str, int]]


def import_sites(
    session: Session, path: str | Path, progress: Progress | None = None
) -> ImportResult:
    """Create or update the sites and services listed in a sites CSV; return the counts.

    A site's name and département (hence its time zone, for a new site) come from the file;
    the same site code on several rows must carry the same name and département. The
    optional ``official_title`` column sets the site's official title when its cell is filled
    (an empty cell leaves the stored title as it is); rows of one site must agree on it.
    """
    errors = ErrorList()
    source = open_table(path, errors)
    if source.header is not None:
        check_header(
            source.header, SITE_COLUMNS, errors, allowed={*SITE_COLUMNS, *SITE_OPTIONAL_COLUMNS}
        )
    errors.raise_if_any()
    result = ImportResult(source=source.source)
    sites, services = _checked_rows(source, errors, result, progress)
    errors.raise_if_any()
    stored_sites = _store_sites(session, sites)
    _store_services(session, services, stored_sites, result)
    return result


def _checked_rows(
    source: Table, errors: ErrorList, result: ImportResult, progress: Progress | None
) -> tuple[_FileSites, _FileServices]:
    """Return the file's sites and services, counting the rows in ``result.read`` and
    recording the errors of each."""
    sites: _FileSites = {}
    services: _FileServices = {}
    for line, row in source.rows():
        result.read += 1
        if progress:
            progress(1)
        site_code = row["site"].strip()
        site_name = unneutralise(row["site_name"].strip())
        official_title = unneutralise((row.get("official_title") or "").strip())
        departement = normalise(row["departement"])
        service_code = row["service"].strip()
        service_name = unneutralise(row["service_name"].strip())
        if not CODE_RE.match(site_code):
            errors.add(line, "site", not_a_code(site_code))
        if not site_name:
            errors.add(line, "site_name", EMPTY)
        if not is_departement(departement):
            errors.add(
                line,
                "departement",
                _l("« {value} » n'est pas un code de département", value=departement),
            )
        if not CODE_RE.match(service_code):
            errors.add(line, "service", not_a_code(service_code))
        if not service_name:
            errors.add(line, "service_name", EMPTY)
        known = sites.setdefault(site_code, (site_name, departement, official_title, line))
        if known[:3] != (site_name, departement, official_title):
            errors.add(
                line,
                "site_name",
                _l(
                    "le site {site} est décrit autrement à la ligne {other}",
                    site=site_code,
                    other=known[3],
                ),
            )
        previous = services.setdefault((site_code, service_code), (service_name, line))
        if previous[1] != line:
            errors.add(line, "service", duplicate_of(previous[1]))
    return sites, services


def _store_sites(session: Session, sites: _FileSites) -> dict[str, Site]:
    """Create the new ``sites`` and update the stored ones; return every stored site by
    code."""
    stored_sites = {s.code: s for s in session.scalars(select(Site))}
    for code, (name, departement, official_title, _line) in sites.items():
        site = stored_sites.get(code)
        if site is None:
            site = Site(
                code=code,
                name=name,
                departement=departement,
                timezone=timezone_for(departement),
                official_title=official_title or None,
            )
            session.add(site)
            stored_sites[code] = site
        else:
            if (site.name, site.departement) != (name, departement):
                site.name, site.departement = name, departement
            if official_title and site.official_title != official_title:
                site.official_title = official_title
    session.flush()
    return stored_sites


def _store_services(
    session: Session,
    services: _FileServices,
    stored_sites: dict[str, Site],
    result: ImportResult,
) -> None:
    """Create the new ``services`` and rename the stored ones, counting each in ``result``."""
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
