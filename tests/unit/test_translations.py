"""Every catalog is complete: usager pages in the ten usager languages, the back office in
English. One test per feature and rule, built on ``scripts/translations.py`` itself."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()
FEATURES = sorted(SCRIPT.FEATURES)


def test_usager_features_cover_every_usager_language():
    from surveys.languages import USAGER_LANGUAGES

    wanted = {locale for _name, locale, _direction in USAGER_LANGUAGES.values()}
    wanted.discard("fr")  # the reference language: message ids are French
    for feature in ("usager", "reclamations"):
        assert set(SCRIPT.FEATURES[feature][0]) == wanted


@pytest.mark.parametrize("feature", FEATURES)
def test_every_message_is_translated(feature):
    assert SCRIPT.missing(feature) == {}


@pytest.mark.parametrize("feature", FEATURES)
def test_every_message_of_the_pages_is_in_the_catalogs(feature):
    """A message added to a page without `make translations` would silently stay French."""
    assert SCRIPT.unextracted(feature) == {}


@pytest.mark.parametrize("feature", FEATURES)
def test_translations_keep_the_placeholders_of_their_french_message(feature):
    assert SCRIPT.placeholder_mismatches(feature) == []
