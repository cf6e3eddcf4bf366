"""The languages an usager can answer in, each named in its own language."""

from __future__ import annotations

# Code stored on a response -> (name in that language, Babel locale, text direction).
USAGER_LANGUAGES: dict[str, tuple[str, str, str]] = {
    "fr": ("Français", "fr", "ltr"),
    "en": ("English", "en", "ltr"),
    "es": ("Español", "es", "ltr"),
    "pt": ("Português", "pt", "ltr"),
    "ar": ("العربية", "ar", "rtl"),
    "ru": ("Русский", "ru", "ltr"),
    "uk": ("Українська", "uk", "ltr"),
    "tr": ("Türkçe", "tr", "ltr"),
    "ro": ("Română", "ro", "ltr"),
    "zh": ("简体中文", "zh_Hans", "ltr"),
}
BACKOFFICE_LANGUAGES = ("fr", "en")


def direction(language: str) -> str:
    """Return ``rtl`` or ``ltr`` for a language code."""
    return USAGER_LANGUAGES.get(language, ("", "", "ltr"))[2]


def html_lang(language: str) -> str:
    """Return the BCP 47 tag for the ``lang`` attribute (``zh`` is written ``zh-Hans``)."""
    return "zh-Hans" if language == "zh" else language
