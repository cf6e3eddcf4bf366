"""The transparency poster (Services Publics+ "programme transparence"): for one site and
period, an A4 PDF with its satisfaction, reply-in-time rate and mean reply delay in large
type, and the QR code to give one's opinion (given as data by the caller)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import DomainError
from surveys.models import Site

from .filters import ReportFilters
from .i18n import Formatter
from .reclamations import reclamation_indicators
from .satisfaction import satisfaction_table


@dataclass
class PosterFigures:
    site_code: str
    site_name: str
    date_from: date
    date_to: date
    satisfaction: float | None
    satisfaction_n: int
    criterion: str | None
    in_time_rate: float | None
    mean_delay: float | None


def poster_figures(
    session: Session, site_code: str, date_from: date, date_to: date, today: date
) -> PosterFigures:
    """Return the poster's figures: the site's overall satisfaction (the ``overall``
    criterion, else the best-answered criterion where higher is better), its in-time
    reply rate and mean reply delay over the period."""
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise DomainError(f"Site inconnu : {site_code}", "site", "unknown")
    filters = ReportFilters(date_from, date_to, [site_code])
    rows = [
        r
        for r in satisfaction_table(session, filters)
        if r["site"] == site_code and r["service"] is None and not r["lower_is_better"]
    ]
    chosen = next((r for r in rows if r["criterion"] == "overall"), None)
    if chosen is None and rows:
        chosen = max(rows, key=lambda r: r["n"])
    reclamation = next(
        (
            r
            for r in reclamation_indicators(session, date_from, date_to, [site_code], today)
            if r["site"] == site_code
        ),
        None,
    )
    return PosterFigures(
        site.code,
        site.name,
        date_from,
        date_to,
        chosen["rate"] if chosen else None,
        chosen["n"] if chosen else 0,
        chosen["criterion"] if chosen else None,
        reclamation["in_time_rate"] if reclamation else None,
        reclamation["mean_delay_working_days"] if reclamation else None,
    )


def poster_html(figures: PosterFigures, qr_svg: bytes, url: str, language: str = "fr") -> str:
    """Return the poster as HTML (the QR code embedded as an SVG data URI)."""
    from .render import environment

    fmt = Formatter(language)
    qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg).decode()
    return (
        environment(language)
        .get_template("poster.html")
        .render(f=figures, fmt=fmt, qr=qr, url=url, language=language)
    )


def poster_pdf(figures: PosterFigures, qr_svg: bytes, url: str, language: str = "fr") -> bytes:
    """Return the poster as a one-page A4 PDF."""
    from weasyprint import HTML

    return HTML(string=poster_html(figures, qr_svg, url, language)).write_pdf()
