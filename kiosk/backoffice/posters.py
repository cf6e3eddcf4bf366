"""Back office: the QR code and printable poster of each site and service."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from sqlalchemy import select

from surveys.models import Campaign, Service, Site

from ..auth.access import require_scope, role_required
from ..config import is_local_address
from ..db import get_read_session
from ..posters import FORMATS, render
from ..public.tokens import survey_url
from . import bp

POSTER_ROLES = ("admin", "quality")


@bp.get("/posters")
@role_required(*POSTER_ROLES)
def posters():
    session = get_read_session()
    sites = session.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.name)).all()
    campaigns = session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    campaign = request.args.get("campaign") or None
    if campaign and campaign not in {c.code for c in campaigns}:
        campaign = None
    links = {
        (site.code, service.code): survey_url(site.code, service.code, campaign)
        for site in sites
        for service in site.services
        if service.active
    }
    return render_template(
        "backoffice/posters.html",
        sites=sites,
        links=links,
        campaigns=campaigns,
        campaign=campaign,
        local_address=is_local_address(current_app.config["AVIS_BASE_URL"]),
        base_url=current_app.config["AVIS_BASE_URL"],
    )


@bp.get("/posters/<site>/<service>.<fmt>")
@role_required(*POSTER_ROLES)
def poster_file(site: str, service: str, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    found = get_read_session().scalars(Service.by_codes(site, service)).first()
    if found is None:
        abort(404)
    require_scope(found.site_id, found.id, what="poster", object_id=f"{site}/{service}")
    campaign = request.args.get("campaign") or None
    url = survey_url(site, service, campaign)
    data = render(fmt, found.site, found.name, url, current_app.config["AVIS_BASE_URL"] + "/avis")
    download = "attachment" if request.args.get("download") else "inline"
    filename = f"avis-{site}-{service}.{fmt}"
    return Response(
        data,
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f'{download}; filename="{filename}"'},
    )
