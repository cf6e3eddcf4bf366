"""Weight budgets of the usager pages, as the shipped nginx site serves them, compressed.

A tablet on a préfecture's guest Wi-Fi and a phone on a poor mobile network both load these
pages: the tablet's first load (fonts and the files its service worker keeps included) stays
within 250 KB and a later visit within 25 KB; the QR page's first load within 200 KB. Every
file a page names is on our own server: no request leaves it. The figures are printed beside
the budgets (run with -s to read them)."""

from __future__ import annotations

import gzip
import re
from urllib.parse import urljoin, urlsplit

from .test_nginx import NAME, https, nginx_in_front  # noqa: F401  (the fixture)

KB = 1024
TABLET_FIRST, TABLET_LATER, QR_FIRST = 250 * KB, 25 * KB, 200 * KB
GZIP = {"Accept-Encoding": "gzip"}
USAGER_FONTS = {"Marianne-Regular.woff2", "Marianne-Bold.woff2"}

# What a page names that the browser fetches: stylesheets, scripts, images, icons, fonts.
ATTRIBUTES = re.compile(rb"""<(?:link|script|img|source)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""")
CSS_URLS = re.compile(rb"""url\(\s*["']?([^"')]+)["']?\s*\)""")
# The service worker's shell, which it fetches once installed: var SHELL = ["/kiosk/", ...].
SW_SHELL = re.compile(rb"SHELL\s*=\s*\[([^\]]*)\]")


def _text(answer) -> bytes:
    """The body as the browser reads it, once uncompressed."""
    if answer.headers.get("content-encoding") == "gzip":
        return gzip.decompress(answer.body)
    return answer.body


def _fetched_by_a_browser(url: str) -> bool:
    """A stylesheet names every font it knows; a browser fetches only the ones the page
    uses, in the first format it reads. The usager pages use two weights of Marianne,
    in woff2 (every browser a tablet or phone runs reads it): those are counted."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    if not name.endswith((".woff", ".woff2", ".ttf", ".otf", ".eot")):
        return True
    return name in USAGER_FONTS


def _leaves_the_server(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) and parts.netloc != NAME


def _weigh(port: int, page: str, cookie: str | None = None, service_worker: str | None = None):
    """(bytes on the wire of the first load, of a later visit, every URL fetched)."""
    headers = dict(GZIP, Cookie=cookie) if cookie else dict(GZIP)
    answer = https(port, "GET", page, headers=headers)
    assert answer.status == 200, (page, answer.status)
    assert answer.headers.get("content-encoding") == "gzip" or page != "/kiosk/", page
    first = later = len(answer.body)
    fetched = {page: len(answer.body)}
    todo = [urljoin(page, u.decode()) for u in ATTRIBUTES.findall(_text(answer))]
    once: set[str] = set()  # fetched by the service worker when it installs, not again
    if service_worker:
        sw = https(port, "GET", service_worker, headers=headers)
        assert sw.status == 200
        first += len(sw.body)
        # Revalidated on each visit (no-cache): counted whole, though a 304 is the usual.
        later += len(sw.body)
        fetched[service_worker] = len(sw.body)
        shell = SW_SHELL.search(_text(sw))
        assert shell, "the service worker names no shell"
        once = {u.decode() for u in re.findall(rb'"([^"]+)"', shell[1])}
        todo += sorted(once)
    while todo:
        url = todo.pop()
        assert not _leaves_the_server(url), f"{page} names {url}, outside the server"
        if url.startswith("data:") or url in fetched:
            continue
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        got = https(port, "GET", path, headers=headers)
        assert got.status == 200, (url, got.status)
        fetched[url] = len(got.body)
        first += len(got.body)
        # Only a file stamped with the digest of the files is cached for a year; any other
        # is counted again on a later visit (the conservative reading of "an hour").
        if url not in once and "immutable" not in got.headers.get("cache-control", ""):
            later += len(got.body)
        kind = got.headers.get("content-type", "")
        if kind.startswith(("text/css", "application/javascript", "text/javascript", "image/svg")):
            assert got.headers.get("content-encoding") == "gzip" or len(got.body) < 256, (
                f"{url} is served uncompressed ({len(got.body)} bytes)"
            )
        if kind.startswith("text/css"):
            todo += [
                urljoin(url, u.decode())
                for u in CSS_URLS.findall(_text(got))
                if _fetched_by_a_browser(u.decode())
            ]
    return first, later, fetched


def _report(label: str, figure: int, budget: int) -> str:
    return f"{label}: {figure / KB:.1f} KB (budget {budget / KB:.0f} KB)"


def test_tablet_and_qr_pages_stay_within_their_budgets_and_on_our_server(nginx_in_front):  # noqa: F811
    front = nginx_in_front
    cookie = f"avis_tablet={front.seeded.tokens[0]}"
    first, later, fetched = _weigh(front.port, "/kiosk/", cookie, service_worker="/kiosk/sw.js")
    qr_first, _qr_later, qr_fetched = _weigh(
        front.port, f"/avis/{front.seeded.site}/{front.seeded.service}"
    )
    lines = [
        _report("tablet, first load", first, TABLET_FIRST),
        _report("tablet, later visit", later, TABLET_LATER),
        _report("QR page, first load", qr_first, QR_FIRST),
    ]
    print("\nbudgets (compressed, through nginx):\n  " + "\n  ".join(lines))
    for url, size in sorted({**fetched, **qr_fetched}.items()):
        print(f"    {size / KB:7.1f} KB  {url}")
    assert first <= TABLET_FIRST, lines[0]
    assert later <= TABLET_LATER, lines[1]
    assert qr_first <= QR_FIRST, lines[2]
