"""The one PDF writer, and the État's typeface and bloc marque for every printed document.

The CLU report, the transparency poster and the QR posters are HTML that WeasyPrint
prints to A4. They are set in Marianne and headed by the bloc marque, like the pages: the
design system's own font files and logo component, vendored once with the pages in
``kiosk/static/dsfr/`` (its version is written in ``kiosk/static/dsfr/VERSION``). The
faces are embedded in the document as data URIs, so the HTML report stays one
self-contained file that can be mailed to the committee and the PDF needs no font
installed on the server; WeasyPrint keeps only the glyphs a document uses. Marianne
draws the Latin scripts only: Arabic, Cyrillic and the other scripts fall back to DejaVu
Sans, and Chinese to a CJK font where the server has one, in the same ``font-family``.
"""

from __future__ import annotations

import base64
import logging
from functools import lru_cache
from importlib import resources

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Site
from surveys.models.sites import marque_lines

#: The font list of every printed document: Marianne first, then the fallbacks.
FONT_STACK = 'Marianne, "DejaVu Sans", "Noto Sans", Arial, sans-serif'

#: The faces the documents use: (file, weight, style). Medium, Light and Spectral are
#: for the pages only.
FACES = (
    ("Marianne-Regular.woff2", 400, "normal"),
    ("Marianne-Regular_Italic.woff2", 400, "italic"),
    ("Marianne-Bold.woff2", 700, "normal"),
)


def dsfr_directory():
    """Return the vendored DSFR folder (a data folder of the ``kiosk`` package, found
    without importing the web application)."""
    return resources.files("kiosk").joinpath("static", "dsfr")


@lru_cache(maxsize=1)
def print_css() -> str:
    """Return the style every printed document starts with: Marianne's ``@font-face``
    rules (each face a data URI) and the DSFR's logo component, which draws the Marianne
    and the motto "Liberté Égalité Fraternité" around the bloc marque's title."""
    logo = dsfr_directory().joinpath("component", "logo", "logo.min.css").read_text("utf-8")
    colour = ":root { --text-black-white-grey: #161616; }"
    return "\n".join((_font_faces(), colour, logo, _LOGO_PRINT))


# WeasyPrint computes no calc() in background-position: the motto's place, written
# ``0 calc(100% + 1.875rem)`` by the DSFR, is the same offset in its box (2.21rem high,
# the image 3.75rem): (2.2083 - 3.75) + 1.875 = 0.3333rem; in the small logo,
# (1.65625 - 2.8125) + 1.40625 = 0.25rem. The title's lines are the mission's own: a
# narrow column never breaks them again.
_LOGO_PRINT = """
.fr-logo::after { background-position: 0 0.3333rem; }
.fr-logo--sm::after { background-position: 0 0.25rem; }
.fr-logo { white-space: nowrap; }
"""


def marque_html(lines: list[str], small: bool = False) -> Markup:
    """Return the bloc marque of a document: its title, one item a line, in the DSFR's
    logo element (``Site.marque`` gives the lines); ``small``: the DSFR's small logo."""
    classes = "fr-logo fr-logo--sm" if small else "fr-logo"
    return Markup('<p class="%s">%s</p>') % (classes, Markup("<br>").join(map(escape, lines)))


def shared_marque(session: Session, site_codes: list[str]) -> list[str]:
    """The bloc marque of a document about ``site_codes`` (every site when empty): the one
    those sites share (one site: its official title), else the State's."""
    query = select(Site)
    if site_codes:
        query = query.where(Site.code.in_(site_codes))
    marques = {tuple(site.marque()) for site in session.scalars(query)}
    return list(marques.pop()) if len(marques) == 1 else marque_lines(None)


def _font_faces() -> str:
    folder = dsfr_directory().joinpath("fonts")
    rules = []
    for name, weight, style in FACES:
        data = base64.b64encode(folder.joinpath(name).read_bytes()).decode("ascii")
        rules.append(
            '@font-face { font-family: "Marianne"; '
            f"font-weight: {weight}; font-style: {style}; font-display: swap; "
            f'src: url("data:font/woff2;base64,{data}") format("woff2"); }}'
        )
    return "\n".join(rules)


def write_pdf(html: str) -> bytes:
    """Return ``html`` printed to PDF by WeasyPrint, its logging kept to errors: it reports
    each stylesheet and font subset at INFO (the first ones while it is imported), and at
    WARNING each rule of the DSFR's stylesheet meant for screens only."""
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
