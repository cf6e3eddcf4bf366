"""The transparency poster (Services Publics+ "programme transparence"): for one site and
a quarter or a period, an A4 PDF with its satisfaction, the felt effort when the
questionnaire asks it, the reply-in-time rate and mean reply delay in large type, the
register indicators the mission ticks for the poster (issuance delays, calls answered)
each with its target, "Vous nous avez dit… nous avons fait": the actions done in the
period, and the QR code to give one's opinion (given as data by the caller)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import DomainError
from surveys.i18n import _l
from surveys.models import Site
from surveys.models.sites import marque_lines

from .actions import done_in_period
from .filters import ReportFilters
from .i18n import Formatter, quarter_dates
from .indicators import IndicatorResult, indicator_results
from .reclamations import reclamation_indicators
from .satisfaction import satisfaction_table

QUARTER_RE = re.compile(r"^(\d{4})-[TQ]([1-4])$", re.IGNORECASE)


def parse_quarter(text: str) -> tuple[date, date]:
    """Return the first and last days of a quarter written ``2022-T4`` (or ``2022-Q4``);
    raise DomainError otherwise."""
    match = QUARTER_RE.match(text.strip())
    if match is None:
        raise DomainError(
            _l("« {value} » n'est pas un trimestre (AAAA-T1 à AAAA-T4)", value=text.strip()),
            "quarter",
        )
    return quarter_dates(int(match.group(1)), int(match.group(2)))


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
    # The felt effort's mean out of 5 (lower is better), None when no one was asked it.
    effort: float | None = None
    effort_n: int = 0
    # The register indicators ticked for the poster with a value in the period.
    indicators: list[IndicatorResult] = field(default_factory=list)
    # The actions marked done during the period (rows of analysis.actions).
    actions: list[dict] = field(default_factory=list)
    # The bloc marque heading the poster, line by line (the site's official title).
    marque: list[str] = field(default_factory=lambda: marque_lines(None))


def poster_figures(
    session: Session, site_code: str, date_from: date, date_to: date, today: date
) -> PosterFigures:
    """Return the poster's figures: the site's overall satisfaction (the ``overall``
    criterion, else the best-answered criterion where higher is better), its felt effort
    (the ``effort`` criterion's mean, when answered), its in-time reply rate and mean reply
    delay, its register indicators ticked ``on_poster``, and its actions done over the
    period."""
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise DomainError(_l("Site inconnu : {code}", code=site_code), "site", "unknown")
    filters = ReportFilters(date_from, date_to, [site_code])
    site_rows = [
        r
        for r in satisfaction_table(session, filters)
        if r["site"] == site_code and r["service"] is None
    ]
    rows = [r for r in site_rows if not r["lower_is_better"]]
    effort = next((r for r in site_rows if r["criterion"] == "effort" and r["n"]), None)
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
        effort["mean"] if effort else None,
        effort["n"] if effort else 0,
        [
            result
            for result in indicator_results(session, date_from, date_to, [site_code])
            if result.indicator.on_poster and result.value is not None
        ],
        done_in_period(session, site_code, date_from, date_to),
        site.marque(),
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
    from .pdf import write_pdf

    return write_pdf(poster_html(figures, qr_svg, url, language))
