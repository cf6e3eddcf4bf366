"""The live dashboard and the comments of the usagers, for the quality mission and viewers.

Reads go through ``get_read_session()`` so the dashboard never waits behind tablets
writing; viewers see only their scope (``surveys.users.Scope``)."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from analysis.filters import make_filters, twelve_months_to
from analysis.outputs import FORMATS, MEDIA_TYPES, render_report
from surveys import DomainError
from surveys.calendar import HOME_TIMEZONE, local_today
from surveys.models import Campaign, Criterion, Service, Site
from surveys.reclamations import site_today
from surveys.users import user_scope

from ..auth.access import role_required
from ..db import get_read_session
from ..params import day_arg, int_arg, page_arg
from . import bp

READERS = ("admin", "quality", "viewer")
COMMENTS_PER_PAGE = 50


def _visible_sites(session, scope) -> list[Site]:
    query = select(Site).order_by(Site.name)
    if not scope.everything:
        query = query.where(Site.id.in_(scope.site_ids()))
    return list(session.scalars(query))


def _filters(session):
    """Return (filters, choices) from the query string, limited to the user's scope."""
    scope = user_scope(current_user)
    sites = _visible_sites(session, scope)
    site = request.args.get("site") or None
    if site and site not in {s.code for s in sites}:
        abort(404)
    service = request.args.get("service") or None
    campaign = request.args.get("campaign") or None
    date_from, date_to = day_arg("from"), day_arg("to")
    if not campaign and date_from is None and date_to is None:
        date_from, date_to = twelve_months_to(local_today())
    try:
        filters = make_filters(
            session,
            campaign_code=campaign,
            date_from=date_from,
            date_to=date_to,
            site_codes=[site] if site else [],
            service_codes=[service] if service else [],
            scope=scope,
        )
    except DomainError:
        abort(404)
    site_ids = [s.id for s in sites]
    if site:
        site_ids = [s.id for s in sites if s.code == site]
    services = _service_choices(session, site_ids)
    choices = {
        "sites": sites,
        "services": services,
        "campaigns": list(session.scalars(select(Campaign).order_by(Campaign.starts_on.desc()))),
        "site": site,
        "service": service,
        "campaign": campaign,
    }
    return filters, choices


def _service_choices(session, site_ids: list[int]) -> list[tuple[str, str]]:
    """(code, name) of the services of those sites, by name; a code named differently on
    two sites (« Bureau des étrangers », « Bureau du séjour des étrangers ») shows its most
    frequent name."""
    names: dict[str, dict[str, int]] = {}
    for code, name in session.execute(
        select(Service.code, Service.name).where(Service.site_id.in_(site_ids))
    ):
        counts = names.setdefault(code, {})
        counts[name] = counts.get(name, 0) + 1
    chosen = {code: max(sorted(counts), key=counts.get) for code, counts in names.items()}
    return sorted(chosen.items(), key=lambda item: item[1].lower())


def _language() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "fr"


def _query(filters, choices, **extra) -> dict:
    args = {
        "from": filters.date_from.isoformat(),
        "to": filters.date_to.isoformat(),
        "site": choices["site"] or None,
        "service": choices["service"] or None,
        "campaign": choices["campaign"] or None,
        **extra,
    }
    return {key: value for key, value in args.items() if value is not None}


@bp.get("/dashboard")
@role_required(*READERS)
def dashboard():
    session = get_read_session()
    filters, choices = _filters(session)
    language = _language()
    from analysis.render import report_context  # pandas, charts: loaded on first use
    from analysis.report import build_report

    report = build_report(session, filters, comment_limit=0)
    context = report_context(session, report, language)
    query = _query(filters, choices)
    downloads = [
        (fmt, url_for("backoffice.dashboard_export", format=fmt, **query)) for fmt in FORMATS
    ]
    everything = next((r for r in context["reclamation_rows"] if r["site_code"] is None), None)
    return render_template(
        "backoffice/dashboard/index.html",
        filters=filters,
        choices=choices,
        downloads=downloads,
        comments_url=url_for("backoffice.comments", **query),
        poster_url=url_for("backoffice.dashboard_poster", **query) if choices["site"] else None,
        reclamations_total=everything,
        live=request.args.get("live") == "1",
        live_url=url_for("backoffice.dashboard", **_query(filters, choices, live="1")),
        **context,
    )


@bp.get("/dashboard/export")
@role_required(*READERS)
def dashboard_export():
    fmt = request.args.get("format")
    if fmt not in FORMATS:
        abort(404)
    session = get_read_session()
    filters, _choices = _filters(session)
    content = render_report(session, filters, fmt, _language())
    name = f"avis-rapport-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.{fmt}"
    return Response(
        content,
        mimetype=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/dashboard/poster")
@role_required(*READERS)
def dashboard_poster():
    from analysis.poster import poster_figures, poster_pdf

    from ..posters import qr_svg
    from ..public.tokens import survey_url

    session = get_read_session()
    filters, choices = _filters(session)
    site = next((s for s in choices["sites"] if s.code == choices["site"]), None)
    if site is None or not site.services:
        abort(404)
    codes = [service.code for service in site.services]
    service = choices["service"] if choices["service"] in codes else None
    service = service or site.default_service_code()
    figures = poster_figures(
        session, site.code, filters.date_from, filters.date_to, site_today(site)
    )
    url = survey_url(site.code, service)
    name = f"avis-affiche-resultats-{site.code}-{filters.date_to.isoformat()}.pdf"
    return Response(
        poster_pdf(figures, qr_svg(url), url, _language()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _named(session, rows: list[dict], sites) -> list[dict]:
    """The comments with what a reader knows them by: the site's, service's, channel's,
    language's and criteria's names, and the time in the site's own time zone."""
    from analysis.i18n import Formatter

    language = _language()
    fmt = Formatter(language)
    by_code = {site.code: site for site in sites}
    labels = {c.code: c.label(language) for c in session.scalars(select(Criterion))}
    named = []
    for row in rows:
        site = by_code.get(row["site"])
        services = {s.code: s.name for s in site.services} if site else {}
        zone = ZoneInfo(site.timezone if site else HOME_TIMEZONE)
        when = row["submitted_at"]
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(zone)
        named.append(
            {
                **row,
                "local_time": when.strftime("%d/%m/%Y %H:%M"),
                "site_name": site.name if site else row["site"],
                "service_name": services.get(row["service"], row["service"]),
                "channel_name": fmt.channel(row["channel"]),
                "language_name": fmt.language_name(row["language"]),
                "ratings": [
                    (labels.get(code, code), value) for code, value in row["ratings"].items()
                ],
            }
        )
    return named


@bp.get("/comments")
@role_required(*READERS)
def comments():
    session = get_read_session()
    filters, choices = _filters(session)
    page = page_arg()
    max_rating = int_arg("max_rating", maximum=5)
    search = (request.args.get("q") or "").strip()[:100] or None
    from analysis.comments import comments as find_comments

    rows = find_comments(
        session,
        filters,
        limit=COMMENTS_PER_PAGE + 1,
        offset=(page - 1) * COMMENTS_PER_PAGE,
        max_rating=max_rating,
        search=search,
    )
    more = len(rows) > COMMENTS_PER_PAGE
    query = _query(filters, choices, max_rating=max_rating, q=search)
    from analysis.comments import comment_count
    from analysis.i18n import Formatter

    return render_template(
        "backoffice/dashboard/comments.html",
        fmt=Formatter(_language()),
        total=comment_count(session, filters, max_rating=max_rating, search=search),
        filters=filters,
        choices=choices,
        rows=_named(session, rows[:COMMENTS_PER_PAGE], choices["sites"]),
        max_rating=max_rating,
        search=search or "",
        page=page,
        previous_url=url_for("backoffice.comments", **query, page=page - 1) if page > 1 else None,
        next_url=url_for("backoffice.comments", **query, page=page + 1) if more else None,
        dashboard_url=url_for("backoffice.dashboard", **_query(filters, choices)),
        yesterday=local_today() - timedelta(days=1),
    )
