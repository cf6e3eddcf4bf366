"""Messages rendered without Flask (commands, imports, reports): French, the reference
language, takes its own plurals, not gettext's English fallback."""

from __future__ import annotations

import pytest

from analysis.i18n import Formatter
from surveys.i18n import Message


@pytest.mark.parametrize(
    ("count", "french"), [(0, "0 ligne lue"), (1, "1 ligne lue"), (2, "2 lignes lues")]
)
def test_a_count_in_french_takes_the_french_plural(count, french):
    assert Message("{count} ligne lue", "{count} lignes lues", count).render("fr") == french


def test_a_sentence_no_catalog_holds_falls_back_to_french_with_the_readers_plural():
    message = Message("{count} ligne lue", "{count} lignes lues", 0)
    assert message.render("en") == "0 lignes lues"  # gettext's fallback: English plurals


def test_the_reports_count_nothing_in_the_singular_in_french():
    fmt = Formatter("fr")
    line = fmt.ngettext("{n} action prévue.", "{n} actions prévues.", 0).format(n=0)
    assert line == "0 action prévue."
    assert Formatter("fr").ngettext("{n} action prévue.", "{n} actions prévues.", 2) == (
        "{n} actions prévues."
    )


def test_the_reports_templates_count_nothing_in_the_singular_in_french():
    from analysis.render import environment

    template = environment("fr").from_string('{{ ngettext("{n} action", "{n} actions", 0) }}')
    assert template.render() == "{n} action"
    assert environment("en").from_string('{{ ngettext("a", "b", 0) }}').render() == "b"


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [("fr", 0, "0 étoile"), ("fr", 1, "1 étoile"), ("fr", 2, "2 étoiles"), ("en", 0, "0 stars")],
)
def test_the_pages_count_nothing_in_the_singular_in_french(app, lang, count, expected):
    from flask import g, render_template_string

    with app.test_request_context("/"):
        g.lang = lang
        page = render_template_string(
            '{{ ngettext("%(num)s étoile", "%(num)s étoiles", n) }}', n=count
        )
    assert page == expected
