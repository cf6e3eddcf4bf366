"""Every usager-facing message and questionnaire label exists in the ten usager languages."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from sqlalchemy import select

from surveys.languages import USAGER_LANGUAGES
from surveys.models import Questionnaire
from tests.factories import default_questionnaire

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_usager_message_is_translated_in_every_usager_language():
    assert _script().missing("usager") == {}


def test_the_catalogs_hold_every_message_of_the_usager_pages(tmp_path):
    """A message added to a template but not extracted would silently stay French."""
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
            *script.sources("usager"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    po = ROOT / "kiosk/translations/usager/ar/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        present = {m.id for m in read_po(handle) if m.id}
    assert wanted - present == set()


def test_translations_keep_their_placeholders():
    for language in _script().FEATURES["usager"][0]:
        po = ROOT / f"kiosk/translations/usager/{language}/LC_MESSAGES/messages.po"
        with po.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    expected = sorted(re.findall(r"%\(\w+\)s", message.id))
                    assert sorted(re.findall(r"%\(\w+\)s", message.string)) == expected, (
                        language,
                        message.id,
                    )


def test_default_questionnaire_reads_in_every_usager_language(db):
    questionnaire = default_questionnaire(db)
    for language in USAGER_LANGUAGES:
        assert language in questionnaire.titles
        for item in questionnaire.items:
            assert item.criterion.labels.get(language), (language, item.criterion.code)
    assert db.scalars(select(Questionnaire)).first() is not None


def test_pages_are_served_in_the_chosen_language(client, db):
    from tests.factories import make_service

    make_service(db)
    db.commit()
    html = client.get("/avis/92-nanterre/accueil?lang=uk").get_data(as_text=True)
    assert '<html lang="uk"' in html and "Поділіться думкою" in html
    assert "Ваша загальна оцінка прийому" in html
    chinese = client.get("/avis/92-nanterre/accueil?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in chinese and "请您评价" in chinese
