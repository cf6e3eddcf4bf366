"""Questionnaire labels and pages in the usager languages (catalog completeness is
checked for every feature in tests/unit/test_translations.py)."""

from __future__ import annotations

from sqlalchemy import select

from surveys.languages import USAGER_LANGUAGES
from surveys.models import Questionnaire
from tests.factories import default_questionnaire


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
