"""QR codes and the printable A4 poster "Donnez votre avis" of a site and service.

The QR code carries the signed survey URL (``public.tokens.survey_url``). The poster is
HTML rendered to PDF by WeasyPrint, with the call to action in French and, underneath,
in the other usager languages (each taken from the usager catalog, so the poster says
exactly what the pages say). Chinese is left off the poster when the server has no CJK
font, rather than printing empty boxes.
"""

from __future__ import annotations

import base64
import io
import subprocess  # noqa: S404
from functools import lru_cache

import qrcode
import qrcode.image.svg
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from analysis.pdf import FONT_STACK, marque_html, print_css, write_pdf
from surveys.languages import USAGER_LANGUAGES
from surveys.models.sites import Site

from . import marque_of
from .i18n import babel_locale

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def _qr(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 12) -> bytes:
    """Return a PNG of the QR code of ``url`` (black on white, quiet zone included)."""
    code = _qr(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """Return an SVG of the QR code of ``url`` (one path, scales for print)."""
    buffer = io.BytesIO()
    _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _has_cjk_font() -> bool:
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh"],  # noqa: S607 - fontconfig from the system
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(found.stdout.strip())


def poster_taglines() -> list[tuple[str, str, str, str]]:
    """Return (code, html lang, direction, "Donnez votre avis") for the other languages."""
    lines = []
    for code, (_name, _locale, direction) in USAGER_LANGUAGES.items():
        if code == "fr" or (code == "zh" and not _has_cjk_font()):
            continue
        with force_locale(babel_locale(code)):
            text = _("Donnez votre avis")
        lines.append((code, "zh-Hans" if code == "zh" else code, direction, text))
    return lines


def poster_html(site: Site, service_name: str, url: str, web_url: str) -> str:
    """Return the HTML of the A4 poster (French, other languages underneath), headed by
    the site's bloc marque."""
    with force_locale("fr"):
        return render_template(
            "backoffice/posters_print.html",
            marque=marque_html(marque_of(site)),
            site_name=site.name,
            service_name=service_name,
            url=url,
            web_url=web_url,
            qr_data=base64.b64encode(qr_svg(url)).decode(),
            taglines=poster_taglines(),
            print_css=print_css(),
            font_stack=FONT_STACK,
        )


def poster_pdf(site: Site, service_name: str, url: str, web_url: str) -> bytes:
    """Return the A4 PDF poster of a site and service pointing to ``url``."""
    return write_pdf(poster_html(site, service_name, url, web_url))


def render(fmt: str, site: Site, service_name: str, url: str, web_url: str) -> bytes:
    """Return the file of format ``fmt`` (png, svg or pdf) for a site and service."""
    if fmt == "png":
        return qr_png(url)
    if fmt == "svg":
        return qr_svg(url)
    if fmt == "pdf":
        return poster_pdf(site, service_name, url, web_url)
    raise ValueError(f"unknown format {fmt!r}")
