"""Helpers for the import and export tests: CSV files written from rows."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_service, make_site

RESPONSE_HEADER = [
    "response_id",
    "submitted_at",
    "site",
    "service",
    "channel",
    "language",
    "courtesy",
    "waiting_time",
    "overall",
    "comment",
]
RECLAMATION_HEADER = [
    "reference",
    "kind",
    "channel",
    "site",
    "service",
    "category",
    "received_on",
    "answered_on",
    "reply_channel",
    "text",
]


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write ``rows`` (header first) to a fresh CSV file and return its path."""
    counter = iter(range(1000))

    def write(rows: list[list], name: str | None = None, encoding: str = "utf-8") -> Path:
        path = tmp_path / (name or f"file{next(counter)}.csv")
        with open(path, "w", encoding=encoding, newline="") as handle:
            csv.writer(handle).writerows(rows)
        return path

    return write


@pytest.fixture
def sites(db):
    """Nanterre (accueil, etrangers) and Antony (accueil), committed."""
    nanterre = make_site(db)
    make_service(db, nanterre, "accueil", "Accueil général")
    make_service(db, nanterre, "etrangers", "Bureau du séjour des étrangers")
    antony = make_site(db, "92-antony", "Sous-préfecture d'Antony")
    make_service(db, antony, "accueil", "Accueil général")
    db.commit()


@pytest.fixture
def avis_reading_stdin(database_url: str, tmp_path: Path):
    """Run the real ``avis`` command on this test's database with ``rows`` (header first)
    written as CSV on its standard input (a pipe); return the finished process."""
    script = Path(sys.executable).with_name("avis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kiosk.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVIS_", "FLASK_"))}
    root = str(Path(__file__).resolve().parents[2])
    env.update(
        AVIS_DATABASE_URL=database_url,
        AVIS_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    )

    def run(args: list[str], rows: list[list]) -> subprocess.CompletedProcess:
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return subprocess.run(  # noqa: S603 - our own command
            [*command, *args],
            input=text.getvalue(),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture(autouse=True)
def french_locale(monkeypatch):
    """The user's locale is French (the default of Avis's messages), whatever the machine's."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")


@pytest.fixture
def english(monkeypatch):
    """The user's locale is English (``LANG=en_GB.UTF-8``): messages in English."""
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
