#!/usr/bin/env python3
"""Refresh the vendored État design system (DSFR) in ``kiosk/static/dsfr/``.

The pages are served on closed networks (tablets in accueil halls), so the DSFR is
copied into the package rather than read from a CDN, and nothing is built: only the
compiled files the pages use are kept. The version lives in one place,
``kiosk/static/dsfr/VERSION``; the templates read it from there for cache busting.

    python scripts/vendor_dsfr.py                 # the version in VERSION again
    python scripts/vendor_dsfr.py --version 1.15.4  # move to another release
    python scripts/vendor_dsfr.py --tarball gouvfr-dsfr-1.15.3.tgz  # no download

``npm pack`` fetches the package from the configured npm registry. The Marianne faces
are cut to the scripts Avis is written in (``MARIANNE_UNICODES``, with fontTools, which
WeasyPrint already brings): the package's faces also carry Vietnamese (U+1E00–1EFF),
which no page of Avis is in, and a phone reading a QR code fetches two faces on its first
load (tests/production/test_budgets.py). A character a face no longer has (a usager's
Vietnamese comment in the inbox, say) is drawn by the next font of the list, as Arabic
and Cyrillic already are. The script keeps the
stylesheets listed in ``STYLESHEETS``, the scripts in ``SCRIPTS``, the fonts in
``FONTS``, and every file those stylesheets point to with ``url(...)`` (icons), so a
component added to the list brings its own icons.

Licence: Etalab 2.0 (``LICENSE.md`` is kept beside the files). Its terms of use reserve
the DSFR, the Marianne typeface and the bloc marque to the State's own sites: Avis is
software for préfectures and sous-préfectures, and a deployment outside the
administration must replace them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "kiosk" / "static" / "dsfr"
VERSION_FILE = TARGET / "VERSION"
PACKAGE = "@gouvfr/dsfr"

# The components the pages use; each is dist/component/<name>/<name>.min.css.
COMPONENTS = (
    "alert",
    "badge",
    "breadcrumb",
    "button",
    "callout",
    "card",
    "checkbox",
    "footer",
    "form",
    "header",
    "input",
    "link",
    "logo",
    "modal",
    "navigation",
    "notice",
    "pagination",
    "radio",
    "segmented",
    "select",
    "sidemenu",
    "skiplink",
    "stepper",
    "tab",
    "table",
    "tag",
    "tile",
    "toggle",
    "translate",
)
# Icon families the pages use (dist/utility/icons/icons-<family>/icons-<family>.min.css).
ICON_FAMILIES = ("arrows", "system", "user", "document", "communication", "business", "buildings")

STYLESHEETS = (
    "core/core.min.css",
    *(f"component/{name}/{name}.min.css" for name in COMPONENTS),
    *(f"utility/icons/icons-{family}/icons-{family}.min.css" for family in ICON_FAMILIES),
)
SCRIPTS = ("dsfr.module.min.js", "dsfr.nomodule.min.js")
# woff2 only: every browser the tablets and phones run reads it, and the stylesheets
# name it first.
FONTS = tuple(
    f"fonts/{name}.woff2"
    for name in (
        "Marianne-Light",
        "Marianne-Light_Italic",
        "Marianne-Regular",
        "Marianne-Regular_Italic",
        "Marianne-Medium",
        "Marianne-Medium_Italic",
        "Marianne-Bold",
        "Marianne-Bold_Italic",
        "Spectral-Regular",
        "Spectral-ExtraBold",
    )
)
# Basic Latin to Latin Extended-B (French, English, Spanish, Portuguese, Romanian and
# Turkish, with ș ț ğ ı), spacing and combining accents, punctuation, currency, letterlike
# symbols, arrows, mathematical operators, the geometric shapes DSFR icons fall back to,
# and variation selectors.
MARIANNE_UNICODES = (
    "U+0000-02FF,U+0300-036F,U+2000-206F,U+20A0-20CF,U+2100-22FF,U+25A0-25FF,U+FE00-FE0F"
)

FAVICONS = ("favicon/favicon.svg", "favicon/favicon.ico", "favicon/apple-touch-icon.png")

URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def fetch(version: str, workdir: Path) -> Path:
    """``npm pack`` the release into *workdir*; return the tarball."""
    result = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    return workdir / result.stdout.strip().splitlines()[-1]


def referenced(css: Path, dist: Path) -> set[Path]:
    """Files under *dist* that *css* points to with url(...), woff fallbacks left out."""
    found = set()
    for ref in URL.findall(css.read_text(encoding="utf-8")):
        if ref.startswith(("data:", "#", "http:", "https:")) or ref.endswith(".woff"):
            continue
        path = (css.parent / ref.split("?")[0].split("#")[0]).resolve()
        if dist.resolve() in path.parents and path.is_file():
            found.add(path)
    return found


def subset_marianne(font: Path) -> None:
    """Cut *font* in place to ``MARIANNE_UNICODES``, keeping its hinting (the back office
    is read on Windows desktops), every layout feature and its names (the licence)."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    before = font.stat().st_size
    face = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(MARIANNE_UNICODES))
    subsetter.subset(face)
    subset.save_font(face, str(font), options)
    print(f"{font.name}: {before / 1024:.0f} KB -> {font.stat().st_size / 1024:.0f} KB")


def vendor(tarball: Path, version: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        dist = package / "dist"
        wanted: set[Path] = set()
        for name in (*STYLESHEETS, *SCRIPTS, *FONTS, *FAVICONS):
            path = dist / name
            if not path.is_file():
                print(f"missing from {PACKAGE} {version}: {name}", file=sys.stderr)
                return 1
            wanted.add(path.resolve())
        for name in STYLESHEETS:
            wanted |= referenced(dist / name, dist)
        if TARGET.exists():
            shutil.rmtree(TARGET)
        for path in sorted(wanted):
            destination = TARGET / path.relative_to(dist.resolve())
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
        for font in sorted((TARGET / "fonts").glob("Marianne-*.woff2")):
            subset_marianne(font)
        shutil.copyfile(package / "LICENSE.md", TARGET / "LICENSE.md")
        VERSION_FILE.write_text(version + "\n", encoding="utf-8")
        size = sum(p.stat().st_size for p in TARGET.rglob("*") if p.is_file())
        print(f"{PACKAGE} {version}: {len(wanted)} files, {size / 1024:.0f} KB in {TARGET}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help="release to vendor (default: the one in VERSION)")
    parser.add_argument("--tarball", type=Path, help="an `npm pack` tarball already on disk")
    args = parser.parse_args(argv)
    version = args.version or VERSION_FILE.read_text(encoding="utf-8").strip()
    if args.tarball:
        return vendor(args.tarball, version)
    with tempfile.TemporaryDirectory() as tmp:
        return vendor(fetch(version, Path(tmp)), version)


if __name__ == "__main__":
    sys.exit(main())
