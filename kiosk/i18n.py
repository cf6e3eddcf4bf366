"""Languages of the interface: catalogs compiled at start-up, locale chosen per request.

Each feature keeps its own catalog folder under ``kiosk/translations/<feature>/`` so
that features can be translated independently; Flask-Babel merges them. ``.mo`` files
are never committed: they are compiled from the ``.po`` files into the instance folder.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, g, request, session
from flask_babel import Babel, Domain, get_locale
from werkzeug.exceptions import RequestEntityTooLarge

from surveys.i18n import DEFAULT_LANGUAGE, ReferenceFrench
from surveys.languages import BACKOFFICE_LANGUAGES, USAGER_LANGUAGES

SOURCE = Path(__file__).with_name("translations")


def compile_catalogs(target: Path) -> list[str]:
    """Compile every ``.po`` under kiosk/translations into ``target``; return the folders."""
    folders = []
    for feature in sorted(p for p in SOURCE.iterdir() if p.is_dir()) if SOURCE.exists() else []:
        out_root = target / feature.name
        for po_path in feature.glob("*/LC_MESSAGES/*.po"):
            mo_path = out_root / po_path.relative_to(feature).with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as handle:
                catalog = read_po(handle)
            # One temporary file per process: workers starting together each write their own.
            tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
            with tmp.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            tmp.replace(mo_path)  # atomic: several workers may start together
        folders.append(str(out_root))
    return folders


def babel_locale(code: str) -> str:
    """Return the Babel locale name for a language code (``zh`` -> ``zh_Hans``)."""
    return USAGER_LANGUAGES.get(code, (code, code, "ltr"))[1]


def usager_language() -> str:
    """Return the usager's language: explicit choice, then session, then Accept-Language."""
    try:
        chosen = request.args.get("lang") or request.form.get("lang")
    except RequestEntityTooLarge:  # the 413 page must still find a language
        chosen = None
    if chosen in USAGER_LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in USAGER_LANGUAGES:
        return session["lang"]
    best = request.accept_languages.best_match(list(USAGER_LANGUAGES) + ["zh-CN", "zh-Hans"])
    if best and best.startswith("zh"):
        return "zh"
    return best or "fr"


def select_locale() -> str:
    """Locale selector for Flask-Babel: a view may fix ``g.lang``; else by audience."""
    lang = getattr(g, "lang", None)
    if lang is None:
        if request.blueprint in ("backoffice", "auth"):
            from flask_login import current_user

            lang = getattr(current_user, "language", None) if current_user else None
            if lang not in BACKOFFICE_LANGUAGES:
                lang = request.accept_languages.best_match(BACKOFFICE_LANGUAGES) or "fr"
        else:
            lang = usager_language()
        g.lang = lang
    return babel_locale(lang)


class ReferenceDomain(Domain):
    """Flask-Babel's message domain, whose French pages read the msgids themselves with
    French plurals (``surveys.i18n.ReferenceFrench``): « 0 réponse » rather than gettext's
    English rule, « 0 réponses ». Other languages keep their catalog's rule and, for a
    message it lacks, gettext's fallback, as ``surveys.i18n.Message`` does."""

    def get_translations(self):
        translations = super().get_translations()
        if (
            isinstance(translations, Translations)
            and not getattr(translations, "avis_reference", False)
            and str(get_locale()) == DEFAULT_LANGUAGE
        ):
            translations.add_fallback(ReferenceFrench())  # once: the domain caches them
            translations.avis_reference = True
        return translations


class AvisBabel(Babel):
    """Flask-Babel with :class:`ReferenceDomain` as its message domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return ReferenceDomain(domain=self.domain)


def init_app(app: Flask, babel) -> None:
    target = app.config.get("AVIS_TRANSLATIONS_CACHE") or Path(app.instance_path) / "translations"
    folders = compile_catalogs(Path(target))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(folders) or "translations"
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(in_french)


def in_french(name: str):
    """A French name (a site, a service) inside a page in another language, marked
    ``lang="fr"`` so that a screen reader says it in French; as is on a French page."""
    from flask import g
    from markupsafe import Markup, escape

    if getattr(g, "lang", "fr") == "fr":
        return name
    return Markup('<span lang="fr">%s</span>') % escape(name)
