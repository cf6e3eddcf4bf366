"""The réclamation forms and emails exist in every usager language."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_reclamation_message_is_translated_in_every_usager_language():
    assert _script().missing("reclamations") == {}


def test_the_catalogs_hold_every_message_of_the_reclamation_pages(tmp_path):
    script = _script()
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(pot),
            *script.sources("reclamations"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    for language in ("ar", "zh_Hans"):
        po = ROOT / f"kiosk/translations/reclamations/{language}/LC_MESSAGES/messages.po"
        with po.open("rb") as handle:
            catalog = {m.id: m.string for m in read_po(handle) if m.id}
        assert wanted - set(catalog) == set()
        for msgid, text in catalog.items():
            # A translation keeps exactly the placeholders of its French message.
            assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", text))
