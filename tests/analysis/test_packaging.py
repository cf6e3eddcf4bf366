"""An installed Avis, not the source tree: the files a report reads must be in the package.

The editable install of ``make run`` reads the templates and catalogs from the source
tree, so a file missing from ``package_data`` or ``MANIFEST.in`` shows only once Avis is
installed from its distribution. This builds the sdist, the wheel from the sdist, installs
it in a fresh virtual environment and writes the English report there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from surveys.response_writes import insert_responses
from tests.factories import make_service, make_site

from .helpers import new_response

ROOT = Path(__file__).parents[2]
CATALOG = ROOT / "analysis" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
BUILD = "import sys, setuptools.build_meta as b; print(b.{}(sys.argv[1]))"


def _run(args: list, cwd: Path, **kw) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, **kw)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _french_headings() -> set[str]:
    """The French msgids whose English differs, as they would appear in a heading."""
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle)
    return {
        m.id
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and m.string != m.id and "{" not in m.id
    }


@pytest.mark.slow
def test_installed_wheel_writes_the_english_report_with_no_french_heading(
    db, database_url, tmp_path
):
    site = make_site(db)
    service = make_service(db, site, "accueil")
    at = datetime(2022, 3, 7, 9, tzinfo=UTC)  # a Monday
    insert_responses(
        db,
        [
            new_response(db, service, at, {"overall": 5, "courtesy": 4}, comment="Très bien")
            for _ in range(3)
        ],
    )
    db.commit()

    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "dist", "*.egg-info", "instance", "__pycache__", ".*cache"
        ),
    )
    dist = tmp_path / "dist"
    sdist = _run([sys.executable, "-c", BUILD.format("build_sdist"), dist], source).split()[-1]
    with tarfile.open(dist / sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    unpacked = next((tmp_path / "unpacked").iterdir())
    wheel = _run([sys.executable, "-c", BUILD.format("build_wheel"), dist], unpacked).split()[-1]

    fresh = tmp_path / "fresh"
    _run([sys.executable, "-m", "venv", "--without-pip", fresh], tmp_path)
    python = fresh / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps"]
        + ["--no-index", dist / wheel],
        tmp_path,
    )
    # The dependencies come from the test environment; Avis itself only from the wheel.
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path
    )
    Path(purelib.strip(), "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    env = {
        **os.environ,
        "AVIS_DATABASE_URL": database_url,
        "AVIS_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    env.pop("PYTHONPATH", None)
    where = _run([python, "-c", "import analysis; print(analysis.__file__)"], tmp_path, env=env)
    assert where.startswith(str(fresh)), where

    out = tmp_path / "report.html"
    _run(
        [fresh / "bin" / "avis", "report", "--from", "2022-01-01", "--to", "2022-12-31"]
        + ["--format", "html", "--lang", "en", "--out", out],
        tmp_path,
        env=env,
    )
    html = out.read_text()
    headings = {
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(r"<(?:h1|h2|h3|th|caption|dt)[^>]*>(.*?)</", html, re.S)
    }
    assert {"User satisfaction report", "By channel", "Satisfaction by criterion"} <= headings
    assert headings & _french_headings() == set()
    assert "Monday" in html and "lundi" not in html
    assert "1 January 2022" in html and "usagers ont répondu" not in html
    # The État's typeface and bloc marque come from the installed package's DSFR files.
    assert html.count('src: url("data:font/woff2;base64,') == 3
    assert '<p class="fr-logo">' in html and ".fr-logo:after{" in html
